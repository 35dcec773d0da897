-- The clinic's own wording of client messages (NULL: the product's default wording).
ALTER TABLE clinics ADD COLUMN plan_message TEXT;
ALTER TABLE clinics ADD COLUMN check_in_message TEXT;
