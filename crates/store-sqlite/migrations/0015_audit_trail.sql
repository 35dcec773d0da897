-- The audit trail: every read of a client's record and every change, who, when, what and
-- from where; append-only. The client's id has no foreign key, so that an entry outlives
-- the erasure of the client's data.

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    clinic_id  INTEGER NOT NULL REFERENCES clinics (id),
    staff_id   INTEGER REFERENCES staff (id),
    client_id  INTEGER,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL
);
CREATE INDEX audit_clinic ON audit_log (clinic_id, id);
CREATE INDEX audit_client ON audit_log (clinic_id, client_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
