-- The clinic's products, each linked to an aftercare plan item; and the client's feedback on
-- a check-in (a rating and a comment), shown to the clinic.

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    name        TEXT    NOT NULL,
    item        TEXT    NOT NULL,
    url         TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX products_clinic ON products (clinic_id);

CREATE TABLE feedback (
    id           INTEGER PRIMARY KEY,
    clinic_id    INTEGER NOT NULL REFERENCES clinics (id),
    check_in_id  INTEGER NOT NULL REFERENCES check_ins (id),
    rating       INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment      TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX feedback_clinic ON feedback (clinic_id, check_in_id);
