-- The language a client reads their pages and messages in (`en`, `es`): chosen on the
-- intake forms or the API, or the language of the client's last answer; NULL until then,
-- when the browser's Accept-Language decides the page and messages go in English.
ALTER TABLE clients ADD COLUMN language TEXT
    CHECK (language IS NULL OR (length(language) BETWEEN 2 AND 3 AND language NOT GLOB '*[^a-z]*'));
