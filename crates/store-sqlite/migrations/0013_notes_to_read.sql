-- Care policy v1.2: every non-empty note reaches a person. The dashboard lists the clinic's
-- latest notes; this index holds only check-ins that have one, newest found first.
CREATE INDEX check_ins_notes ON check_ins (clinic_id, submitted_at)
    WHERE json_extract(report, '$.note') <> '';
