-- The outbox: every message to send, written in the same transaction as what calls for it
-- (a session: its plan, check-in invitations and reminders; a check-in: its alert's notices
-- and the extra check-in it calls for). A worker claims due rows for a while (`claim`,
-- `claimed_until`), sends, and records the outcome. A client link's token is kept here only
-- until its message is sent.

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    clinic_id        INTEGER NOT NULL REFERENCES clinics (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('plan', 'check_in', 'reminder', 'alert', 'digest')),
    recipient        TEXT    NOT NULL CHECK (recipient IN ('client', 'staff', 'clinic')),
    staff_id         INTEGER REFERENCES staff (id),
    follow_up_id     INTEGER REFERENCES follow_ups (id),
    alert_id         INTEGER REFERENCES alerts (id),
    link_token       TEXT,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    due_at           INTEGER NOT NULL,
    next_attempt     INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    claim            TEXT,
    claimed_until    INTEGER,
    channel          TEXT,
    last_error       TEXT,
    sent_at          INTEGER,
    created_at       INTEGER NOT NULL,
    CHECK ((recipient = 'staff') = (staff_id IS NOT NULL))
);
CREATE INDEX messages_due ON messages (status, next_attempt);
CREATE INDEX messages_clinic ON messages (clinic_id, status, next_attempt);
CREATE INDEX messages_follow_up ON messages (clinic_id, follow_up_id);

-- Follow-ups are now the client's check-in slots, one per hour of a session (two answers at
-- once never add the same extra check-in twice); their delivery lives in messages.
CREATE UNIQUE INDEX follow_ups_one_per_hour ON follow_ups (session_id, offset_hours);
DROP INDEX follow_ups_due;
ALTER TABLE follow_ups DROP COLUMN status;
ALTER TABLE follow_ups DROP COLUMN attempts;
ALTER TABLE follow_ups DROP COLUMN next_attempt;

-- Where doctor and emergency alerts go at once, besides the therapist: an e-mail or a phone.
ALTER TABLE clinics ADD COLUMN alert_to TEXT;
-- A client who asked for no more messages.
ALTER TABLE clients ADD COLUMN opted_out_at INTEGER;
