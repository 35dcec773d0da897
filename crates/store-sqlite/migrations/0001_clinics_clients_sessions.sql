-- Clinics, staff, API tokens, clients, intakes, sessions with their follow-ups (the outbox),
-- check-ins and alerts. Every clinic table carries clinic_id; instants are UTC milliseconds.

CREATE TABLE clinics (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    country     TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    clinic_id      INTEGER NOT NULL REFERENCES clinics (id),
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('owner', 'therapist', 'front_desk')),
    active         INTEGER NOT NULL DEFAULT 1,
    password_hash  TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX staff_clinic ON staff (clinic_id);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    staff_id    INTEGER NOT NULL REFERENCES staff (id),
    label       TEXT    NOT NULL,
    token_hash  BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    name        TEXT    NOT NULL,
    email       TEXT,
    phone       TEXT,
    timezone    TEXT,
    age_months  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX clients_clinic ON clients (clinic_id);

CREATE TABLE intakes (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX intakes_client ON intakes (clinic_id, client_id);

CREATE TABLE sessions (
    id             INTEGER PRIMARY KEY,
    clinic_id      INTEGER NOT NULL REFERENCES clinics (id),
    client_id      INTEGER NOT NULL REFERENCES clients (id),
    staff_id       INTEGER NOT NULL REFERENCES staff (id),
    massage_type   TEXT    NOT NULL,
    pressure       TEXT    NOT NULL,
    areas          TEXT    NOT NULL,  -- JSON array of area codes
    techniques     TEXT    NOT NULL,  -- JSON array
    first_massage  INTEGER NOT NULL,
    notes          TEXT,
    ended_at       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX sessions_client ON sessions (clinic_id, client_id);

CREATE TABLE follow_ups (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics (id),
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    kind          TEXT    NOT NULL,
    offset_hours  INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    link_hash     BLOB    NOT NULL UNIQUE,
    status        TEXT    NOT NULL DEFAULT 'scheduled',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX follow_ups_session ON follow_ups (clinic_id, session_id);
CREATE INDEX follow_ups_due ON follow_ups (status, due_at);

CREATE TABLE check_ins (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics (id),
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    follow_up_id  INTEGER NOT NULL REFERENCES follow_ups (id),
    report        TEXT    NOT NULL,  -- the report as submitted, JSON
    soreness      INTEGER NOT NULL CHECK (soreness BETWEEN 0 AND 10),
    hours_since   REAL    NOT NULL,
    level         TEXT    NOT NULL CHECK (level IN ('self_care', 'therapist', 'doctor', 'emergency')),
    fired         TEXT    NOT NULL,  -- JSON array of rule ids
    submitted_at  INTEGER NOT NULL
);
CREATE INDEX check_ins_session ON check_ins (clinic_id, session_id);

CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    clinic_id        INTEGER NOT NULL REFERENCES clinics (id),
    check_in_id      INTEGER NOT NULL REFERENCES check_ins (id),
    client_id        INTEGER NOT NULL REFERENCES clients (id),
    level            TEXT    NOT NULL CHECK (level IN ('therapist', 'doctor', 'emergency')),
    status           TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
    created_at       INTEGER NOT NULL,
    acknowledged_by  INTEGER REFERENCES staff (id),
    acknowledged_at  INTEGER,
    note             TEXT
);
CREATE INDEX alerts_clinic ON alerts (clinic_id, status);
