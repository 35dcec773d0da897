-- Each clinic's check-in schedule: hours after a session's end (policy default 24 and 48).
ALTER TABLE clinics ADD COLUMN check_in_hours TEXT NOT NULL DEFAULT '[24,48]';
