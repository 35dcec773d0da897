-- An index for each access path a request or the worker takes, so that no request walks a
-- clinic's whole history to find a few rows; tests/sqlite/query_plans.txt holds each plan.
-- A session's follow-ups, check-ins and messages come in the order they are shown.
DROP INDEX follow_ups_session;
CREATE INDEX follow_ups_session ON follow_ups (clinic_id, session_id, due_at);
DROP INDEX check_ins_session;
CREATE INDEX check_ins_session ON check_ins (clinic_id, session_id, submitted_at);
-- Whether a follow-up was answered (the dashboard's check-ins due today).
CREATE INDEX check_ins_follow_up ON check_ins (clinic_id, follow_up_id);
DROP INDEX sessions_client;
CREATE INDEX sessions_client ON sessions (clinic_id, client_id, ended_at);
-- Clients by name, a page at a time.
DROP INDEX clients_clinic;
CREATE INDEX clients_name ON clients (clinic_id, name COLLATE NOCASE, id);
DROP INDEX messages_follow_up;
CREATE INDEX messages_follow_up ON messages (clinic_id, follow_up_id, next_attempt);
-- The outbox listing of every status.
CREATE INDEX messages_clinic_next ON messages (clinic_id, next_attempt);
-- Revoking a staff member's tokens.
CREATE INDEX api_tokens_staff ON api_tokens (clinic_id, staff_id);
-- Retiring a clinic's public intake link.
DROP INDEX intake_links_clinic;
CREATE INDEX intake_links_public ON intake_links (clinic_id, client_id, expires_at);
-- The alert queue a page at a time: most urgent level first, newest first within a level,
-- of one status or of all.
DROP INDEX alerts_clinic;
CREATE INDEX alerts_queue ON alerts (clinic_id, status, level, created_at, id);
CREATE INDEX alerts_level ON alerts (clinic_id, level, created_at, id);
