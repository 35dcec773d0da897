-- Outcome tallies (store::tally): the outcomes page's figures kept as check-ins and
-- follow-ups are written, one row a clinic day and group, so that a period's figures are
-- read from a few thousand rows whatever the clinic's history. `day` is days since
-- 1970-01-01 in the clinic's calendar. Derived data: not moved with a clinic (an import
-- counts them again) and recounted from the rows whenever `outcome_tally_zones` does not
-- name the clinic's own time zone (a database from before this migration, an imported
-- clinic, a clinic that changed its time zone).
--
-- A busy group's counts are spread over up to 16 rows (`slot`, from the id of the row
-- counted): the upsert's row lock is held until its transaction commits, and concurrent
-- check-ins of one day and group would otherwise commit one at a time. Reads add the slots.
CREATE TABLE outcome_answers (
    clinic_id    BIGINT  NOT NULL REFERENCES clinics (id),
    day          BIGINT  NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     BIGINT  NOT NULL,
    offset_hours BIGINT  NOT NULL,
    pressure     TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    answers      BIGINT  NOT NULL,  -- check-ins
    sore         BIGINT  NOT NULL,  -- of them, triaged with a soreness
    soreness_sum BIGINT  NOT NULL,
    very_sore    BIGINT  NOT NULL,  -- of them, at 7 or more
    slot         BIGINT  NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, offset_hours, pressure, level, slot)
);

CREATE TABLE outcome_areas (
    clinic_id    BIGINT  NOT NULL REFERENCES clinics (id),
    day          BIGINT  NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     BIGINT  NOT NULL,
    offset_hours BIGINT  NOT NULL,
    area         TEXT    NOT NULL,
    sore         BIGINT  NOT NULL,
    soreness_sum BIGINT  NOT NULL,
    very_sore    BIGINT  NOT NULL,
    slot         BIGINT  NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, offset_hours, area, slot)
);

CREATE TABLE outcome_asked (
    clinic_id    BIGINT  NOT NULL REFERENCES clinics (id),
    day          BIGINT  NOT NULL,  -- the day the follow-ups were due
    massage_type TEXT    NOT NULL,
    staff_id     BIGINT  NOT NULL,
    asked        BIGINT  NOT NULL,
    answered     BIGINT  NOT NULL,
    slot         BIGINT  NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, slot)
);

-- The time zone each clinic's tallies were counted in.
CREATE TABLE outcome_tally_zones (
    clinic_id BIGINT PRIMARY KEY REFERENCES clinics (id),
    timezone  TEXT   NOT NULL
);
