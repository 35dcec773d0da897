-- A changed password ends the member's other sign-ins: found by member, not by a scan.

CREATE INDEX staff_sessions_staff ON staff_sessions (clinic_id, staff_id);
