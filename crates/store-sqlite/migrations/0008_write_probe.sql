-- One row that the health check rewrites, to learn whether the database can save data now
-- (a full disk fails the write; a read alone would still answer).
CREATE TABLE write_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL
);
