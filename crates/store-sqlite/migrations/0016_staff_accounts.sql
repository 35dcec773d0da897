-- Staff accounts: e-mailed links to choose a password (an invitation, or a reset asked for),
-- sent through the outbox; whether a member chose their password or still has one given to
-- them; and an optional second factor (TOTP) with one-time recovery codes, which an owner
-- can require of the whole clinic.

CREATE TABLE password_links (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    purpose     TEXT    NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash  BLOB    NOT NULL UNIQUE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX password_links_staff ON password_links (clinic_id, staff_id);

-- Until a member chooses their own password, they sign in with the one they were given
-- (every password so far was made by the product and shown once); those who changed theirs
-- are in the audit trail.
ALTER TABLE staff ADD COLUMN password_chosen INTEGER NOT NULL DEFAULT 0;
UPDATE staff SET password_chosen = 1
 WHERE id IN (SELECT staff_id FROM audit_log WHERE action = 'change_password' AND staff_id IS NOT NULL);

-- The shared secret of a confirmed authenticator (base32), and the last time step a code
-- was taken at, so that a code is never taken twice.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    clinic_id  INTEGER NOT NULL REFERENCES clinics (id),
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    code_hash  BLOB    NOT NULL,
    used_at    INTEGER
);
CREATE INDEX recovery_codes_staff ON recovery_codes (clinic_id, staff_id);

ALTER TABLE clinics ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;

-- A sign-in whose password was right and whose second factor is still to come.
ALTER TABLE staff_sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;

-- The outbox takes the two staff e-mails: the same table with a wider list of kinds.
CREATE TABLE messages_new (
    id               INTEGER PRIMARY KEY,
    clinic_id        INTEGER NOT NULL REFERENCES clinics (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('plan', 'check_in', 'reminder', 'alert', 'digest', 'invitation', 'password_reset')),
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
INSERT INTO messages_new SELECT id, clinic_id, kind, recipient, staff_id, follow_up_id, alert_id, link_token,
    idempotency_key, due_at, next_attempt, status, attempts, claim, claimed_until, channel, last_error, sent_at,
    created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_due ON messages (status, next_attempt);
CREATE INDEX messages_clinic ON messages (clinic_id, status, next_attempt);
CREATE INDEX messages_follow_up ON messages (clinic_id, follow_up_id, next_attempt);
CREATE INDEX messages_clinic_next ON messages (clinic_id, next_attempt);
CREATE INDEX messages_alert ON messages (alert_id) WHERE alert_id IS NOT NULL;
