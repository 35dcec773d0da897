-- Outcome tallies (store::tally): the outcomes page's figures kept as check-ins and
-- follow-ups are written, one row a clinic day and group, so that a period's figures are
-- read from a few thousand rows whatever the clinic's history. `day` is days since
-- 1970-01-01 in the clinic's calendar. Derived data: not moved with a clinic (an import
-- counts them again) and recounted from the rows whenever `outcome_tally_zones` does not
-- name the clinic's own time zone (a database from before this migration, an imported
-- clinic, a clinic that changed its time zone).
CREATE TABLE outcome_answers (
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    day          INTEGER NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     INTEGER NOT NULL,
    offset_hours INTEGER NOT NULL,
    pressure     TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    answers      INTEGER NOT NULL,  -- check-ins
    sore         INTEGER NOT NULL,  -- of them, triaged with a soreness
    soreness_sum INTEGER NOT NULL,
    very_sore    INTEGER NOT NULL,  -- of them, at 7 or more
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, offset_hours, pressure, level)
) WITHOUT ROWID;

CREATE TABLE outcome_areas (
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    day          INTEGER NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     INTEGER NOT NULL,
    offset_hours INTEGER NOT NULL,
    area         TEXT    NOT NULL,
    sore         INTEGER NOT NULL,
    soreness_sum INTEGER NOT NULL,
    very_sore    INTEGER NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, offset_hours, area)
) WITHOUT ROWID;

CREATE TABLE outcome_asked (
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    day          INTEGER NOT NULL,  -- the day the follow-ups were due
    massage_type TEXT    NOT NULL,
    staff_id     INTEGER NOT NULL,
    asked        INTEGER NOT NULL,
    answered     INTEGER NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id)
) WITHOUT ROWID;

-- The time zone each clinic's tallies were counted in.
CREATE TABLE outcome_tally_zones (
    clinic_id INTEGER PRIMARY KEY REFERENCES clinics(id),
    timezone  TEXT    NOT NULL
);
