-- Alert tallies (store::tally::AlertTally): alerts by the clinic's day they were raised, the
-- session's type and therapist, and how soon they were acknowledged (`ack_step`: 0 while
-- open, else the step of store::tally::ACK_STEP_MINUTES). Raising an alert adds one at step 0
-- in the check-in's tally statement; acknowledging it moves it to its step. Spread over up to
-- 16 rows (`slot`, from the alert's id) like the other tallies; reads add the slots. Derived
-- data: emptying outcome_tally_zones has every clinic's tallies, these included, counted
-- from the rows when the store is next migrated.
CREATE TABLE outcome_alerts (
    clinic_id    BIGINT  NOT NULL REFERENCES clinics (id),
    day          BIGINT  NOT NULL,
    massage_type TEXT    NOT NULL,
    staff_id     BIGINT  NOT NULL,
    ack_step     BIGINT  NOT NULL,
    alerts       BIGINT  NOT NULL,
    slot         BIGINT  NOT NULL,
    PRIMARY KEY (clinic_id, day, massage_type, staff_id, ack_step, slot)
);

DELETE FROM outcome_tally_zones;
