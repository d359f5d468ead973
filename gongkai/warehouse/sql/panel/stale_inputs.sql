-- The reports the cross-year rules read in this run whose panel_inputs row is missing (loaded before
-- migration 0003), lacks an operand key the rules now read (written before the operand was added) or
-- holds a cells_digest of another definition than $digest_version (written before migration 0008).
WITH needed AS (
    SELECT report_id FROM panel_pairs WHERE prev_id IS NOT NULL
    UNION
    SELECT prev_id FROM panel_pairs WHERE prev_id IS NOT NULL
)
SELECT n.report_id
FROM needed AS n
LEFT JOIN panel_inputs AS i ON i.report_id = n.report_id
WHERE i.report_id IS NULL
   OR NOT list_has_all(coalesce(i.panel_keys, []), (SELECT list(key) FROM lookup_operands))
   OR i.digest_version IS DISTINCT FROM $digest_version
ORDER BY n.report_id
