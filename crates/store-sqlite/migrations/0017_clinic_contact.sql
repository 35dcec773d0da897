-- How clients reach the clinic: its phone, shown as a call link wherever a client is told to
-- contact the therapist or the clinic, and its e-mail address, where clients' replies to the
-- clinic's messages go.
ALTER TABLE clinics ADD COLUMN phone TEXT;
ALTER TABLE clinics ADD COLUMN email TEXT;
