-- Alert tallies (store::tally::AlertTally): alerts by the clinic's day they were raised, the
-- session's type and therapist, and how soon they were acknowledged (`ack_step`: 0 while
-- open, else the step of store::tally::ACK_STEP_MINUTES). Raising an alert adds one at step 0;
-- acknowledging it moves it to its step. Derived data, like the other tallies: emptying
-- outcome_tally_zones has every clinic's tallies, these included, counted from the rows when
-- the store is next migrated.
CREATE TABLE outcome_alerts (
    clinic_id    INTEGER NOT NULL REFERENCES clinics(id),
    day          INTEGER NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     INTEGER NOT NULL,
    ack_step     INTEGER NOT NULL,
    alerts       INTEGER NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, ack_step)
) WITHOUT ROWID;

DELETE FROM outcome_tally_zones;
