-- Staff sign-in sessions: the cookie's token is stored only as a hash; the CSRF token is
-- echoed in every form of the session.

CREATE TABLE staff_sessions (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    token_hash  BLOB    NOT NULL UNIQUE,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
CREATE INDEX sessions_ended ON sessions (clinic_id, ended_at);
CREATE INDEX follow_ups_clinic_due ON follow_ups (clinic_id, due_at);
