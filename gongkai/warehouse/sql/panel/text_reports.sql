-- panel_text: the new reports whose statements were loaded in this run ($text_rules false: none), on
-- which TEXT_TABLE and YEAR_MISMATCH are evaluated.
SELECT n.report_id
FROM new_reports AS n
WHERE n.status <> 'failed' AND $text_rules
