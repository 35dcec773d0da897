-- Repeated answers through one link update that link's open alert (to the latest answer, at
-- the more urgent level) instead of raising another, so a client cannot flood a clinic.
ALTER TABLE alerts ADD COLUMN follow_up_id INTEGER REFERENCES follow_ups (id);
UPDATE alerts SET follow_up_id = (SELECT c.follow_up_id FROM check_ins c WHERE c.id = alerts.check_in_id);
CREATE INDEX alerts_follow_up ON alerts (clinic_id, follow_up_id, status);
-- Who was told of a client's alerts lately: a client's alerts, then the messages about each.
CREATE INDEX alerts_client ON alerts (clinic_id, client_id);
CREATE INDEX messages_alert ON messages (alert_id) WHERE alert_id IS NOT NULL;
