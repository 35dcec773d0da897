-- Intake links: a clinic's public link (no client; reusable until replaced) or a link for one
-- client (used once). Only the hash of the link's token is kept.

CREATE TABLE intake_links (
    id          INTEGER PRIMARY KEY,
    clinic_id   INTEGER NOT NULL REFERENCES clinics (id),
    client_id   INTEGER REFERENCES clients (id),
    link_hash   BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX intake_links_clinic ON intake_links (clinic_id);
