-- Care policy v1.2: no answer is lost because of what was in it. An answer the engine refuses
-- (a value out of range, say) is stored as it was sent, marked as not triaged, with what was
-- wrong; its soreness may then be unknown. SQLite cannot relax NOT NULL in place, so the
-- table is rebuilt with foreign keys off (this migration runs outside sqlx's transaction and
-- opens its own), keeping every id so that alerts and feedback still point at their rows.
-- A baby's session also records the baby's date of birth (YYYY-MM-DD), from which the
-- baby's age is worked out at each check-in.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE check_ins_rebuilt (
    id            INTEGER PRIMARY KEY,
    clinic_id     INTEGER NOT NULL REFERENCES clinics (id),
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    follow_up_id  INTEGER NOT NULL REFERENCES follow_ups (id),
    report        TEXT    NOT NULL,  -- the report as submitted, JSON
    soreness      INTEGER CHECK (soreness BETWEEN 0 AND 10),
    hours_since   REAL    NOT NULL,
    level         TEXT    NOT NULL CHECK (level IN ('self_care', 'therapist', 'doctor', 'emergency')),
    fired         TEXT    NOT NULL,  -- JSON array of rule ids
    submitted_at  INTEGER NOT NULL,
    triaged       INTEGER NOT NULL DEFAULT 1 CHECK (triaged IN (0, 1)),
    problems      TEXT,              -- JSON array of what could not be read, when not triaged
    CHECK (triaged = 0 OR soreness IS NOT NULL)
);
INSERT INTO check_ins_rebuilt (id, clinic_id, session_id, follow_up_id, report, soreness, hours_since, level,
                               fired, submitted_at)
    SELECT id, clinic_id, session_id, follow_up_id, report, soreness, hours_since, level, fired, submitted_at
    FROM check_ins;
DROP TABLE check_ins;
ALTER TABLE check_ins_rebuilt RENAME TO check_ins;
CREATE INDEX check_ins_session ON check_ins (clinic_id, session_id, submitted_at);
CREATE INDEX check_ins_follow_up ON check_ins (clinic_id, follow_up_id);
ALTER TABLE sessions ADD COLUMN baby_birth_date TEXT;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
