-- The data dictionary of the tables: every COMMENT ON TABLE / COLUMN, re-applied on every publish
-- (gongkai.warehouse.write.dictionary), so a comment is fixed here, not by a migration. A migration that
-- adds a table or column adds its comment here. Views carry their comments in sql/views/<view>.sql.

-- schema_migrations
COMMENT ON TABLE schema_migrations IS 'Numbered schema migrations (gongkai/warehouse/sql/migrations/NNNN_name.sql) applied to this file, one row each.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number NNNN (key).';
COMMENT ON COLUMN schema_migrations.name IS 'Migration name, from its file name.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When the migration was applied (UTC).';

-- runs
COMMENT ON TABLE runs IS 'One row per audit run, written when it starts (running) and again when it ends (completed, failed, or crashed as found by a later run): the audit trail (Prefect''s own history is not kept).';
COMMENT ON COLUMN runs.run_id IS 'Run identifier (key).';
COMMENT ON COLUMN runs.flow_run_id IS 'Prefect flow run id, when the run was orchestrated by Prefect.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run was committed or recorded as failed, or when a later run recorded it as crashed (UTC); NULL while running.';
COMMENT ON COLUMN runs.status IS '''running'' (started, not ended), ''completed'' (committed whole), ''failed'' (nothing but this row was written) or ''crashed'' (its process died; a later run found its run folder abandoned and removed it; nothing else was written).';
COMMENT ON COLUMN runs.harvest IS 'The harvest folder(s) the run read, as given on the command line.';
COMMENT ON COLUMN runs.files_seen IS 'Files found in the harvest.';
COMMENT ON COLUMN runs.files_new IS 'Files not audited before (by content hash), i.e. parsed in this run.';
COMMENT ON COLUMN runs.reports_parsed IS 'Reports added by this run with status ''parsed''.';
COMMENT ON COLUMN runs.reports_partial IS 'Reports added by this run with status ''partial''.';
COMMENT ON COLUMN runs.reports_failed IS 'Reports added by this run with status ''failed''.';
COMMENT ON COLUMN runs.findings_new IS 'Findings first recorded by this run (per-report checks and panel rules).';
COMMENT ON COLUMN runs.gongkai_version IS 'gongkai package version that performed the run.';
COMMENT ON COLUMN runs.parser_version IS 'Parser version (gongkai.PARSER_VERSION) of the run.';
COMMENT ON COLUMN runs.error IS 'One-line error of a failed run; NULL otherwise.';
COMMENT ON COLUMN runs.findings_resolved IS 'Cross-year findings this run resolved (re-evaluation no longer produced them); NULL for runs before migration 0003 and for failed runs.';

-- reports
COMMENT ON TABLE reports IS 'One row per distinct input file (report version), including files that failed to parse.';
COMMENT ON COLUMN reports.report_id IS 'sha256 of the file bytes (key): the same bytes are audited once.';
COMMENT ON COLUMN reports.agency_id IS 'Agency identifier: the manifest''s agency_id, else the agency registry''s, else the division code and the organ name without its place (''320813:人民政府'', gongkai.ingest.divisions), else the agency name after NFKC with whitespace removed (a name whose place is unknown or ambiguous); NULL if unknown. Re-derived by migration 0010 for reports loaded before it.';
COMMENT ON COLUMN reports.agency IS 'Agency (机关) name as printed in the report or given by the manifest.';
COMMENT ON COLUMN reports.region IS 'Region (地区) of the agency: from the manifest, else the agency registry, else derived from the agency name by the national division list (''江苏省/淮安市/洪泽区''); NULL when unknown.';
COMMENT ON COLUMN reports.year IS 'Report year (年度) the report covers, from the title or the manifest.';
COMMENT ON COLUMN reports.format_version IS 'National template the report follows (by its labels): ''2021'', ''2019'' or ''unknown''. See layout for how its tables are laid out.';
COMMENT ON COLUMN reports.layout IS 'How the tables are laid out: ''2021'' or ''2019'' (that version''s template), ''mixed'' (2021 labels, but 表三 prints the single 2019 row （六）其他处理, stored as row_key y2019_other_processing) or ''unknown''. Backfilled by migration 0005 for reports loaded before it.';
COMMENT ON COLUMN reports.title IS 'Report title as printed (or the HTML title).';
COMMENT ON COLUMN reports.source_path IS 'Path of the file in the harvest folder.';
COMMENT ON COLUMN reports.source_url IS 'URL the file was harvested from (manifest), when known.';
COMMENT ON COLUMN reports.source_format IS 'File format: ''txt'', ''html'', ''docx'', ''pdf'' (or ''md'').';
COMMENT ON COLUMN reports.byte_size IS 'File size in bytes.';
COMMENT ON COLUMN reports.status IS '''parsed'' (structure found), ''partial'' (some of it found) or ''failed'' (see error).';
COMMENT ON COLUMN reports.error IS 'One-line reason a file failed to parse; NULL otherwise.';
COMMENT ON COLUMN reports.notes IS 'Parser notes, one per line (e.g. how a table was recognised).';
COMMENT ON COLUMN reports.has_t2 IS 'Table 二 (主动公开) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.has_t3 IS 'Table 三 (依申请公开) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.has_t4 IS 'Table 四 (复议诉讼) was found; NULL for failed reports.';
COMMENT ON COLUMN reports.is_current IS 'True for the newest version of an agency-year (or, without agency_id or year, of a source_path).';
COMMENT ON COLUMN reports.parser_version IS 'Parser version (gongkai.PARSER_VERSION) that produced this row''s cells, sections and findings (updated when the report is re-parsed: reparsed_at, reparses).';
COMMENT ON COLUMN reports.first_run_id IS 'Run that added this report (runs.run_id).';
COMMENT ON COLUMN reports.parsed_at IS 'Start of the run that parsed the file (UTC).';
COMMENT ON COLUMN reports.level IS 'Administrative level of the agency: the manifest''s or registry''s `level` (province, city, county, township, department, …), else derived from the agency name (province, city, county, township); NULL when unknown.';
COMMENT ON COLUMN reports.division_code IS 'Six-digit administrative division code (行政区划代码, 民政部 list in gongkai/form/data/divisions.csv) of the agency''s place, from its name (a township agency gets its county''s code), else from the region the manifest or registry gives; NULL when unknown or ambiguous (e.g. 朝阳区, see notes). Migration 0010 (set for reports loaded before it).';
COMMENT ON COLUMN reports.reparsed_at IS 'When this report was last re-parsed from its archived bytes by a newer parser (UTC; NULL: never). Its cells, sections, statements and panel inputs were then replaced and its findings re-evaluated; history in reparses. Added by migration 0011.';
COMMENT ON COLUMN reports.manifest IS 'The harvest-manifest entry (manifest.jsonl: url, agency, agency_id, region, level, year) applied to this report, as a JSON object; ''{}'' when the file had none. A re-parse applies it again. NULL for reports loaded before migration 0011 (their re-parse keeps the stored agency_id, region, level and source_url). Added by migration 0011.';

-- sections
COMMENT ON TABLE sections IS 'The six prescribed sections 一…六 of each parsed report; key (report_id, section_no).';
COMMENT ON COLUMN sections.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN sections.section_no IS 'Section number 1…6 (一…六).';
COMMENT ON COLUMN sections.title IS 'Section heading as printed.';
COMMENT ON COLUMN sections.text IS 'Section text, tables excluded.';
COMMENT ON COLUMN sections.present IS 'The section was found in the report.';

-- cells
COMMENT ON TABLE cells IS 'Canonical table cells of each parsed report (keys of the national template, gongkai/form/data/cells_2021.csv and cells_2019.csv); key (report_id, table_id, row_key, col_key).';
COMMENT ON COLUMN cells.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN cells.table_id IS 'Table: ''t2'' (表二), ''t3'' (表三), ''t4'' (表四).';
COMMENT ON COLUMN cells.row_key IS 'Canonical row key of the national template (2019-only rows: prefix y2019_).';
COMMENT ON COLUMN cells.col_key IS 'Canonical column key of the national template.';
COMMENT ON COLUMN cells.value IS 'Normalised number as printed, in the unit the form prints: 件 (pieces) for counts, 万元 (10,000 yuan) for 表二 row fees column amount; set only when semantic = ''number''. Blank is never zero.';
COMMENT ON COLUMN cells.raw IS 'Text as printed; NULL when nothing was printed.';
COMMENT ON COLUMN cells.semantic IS '''number'', ''blank'' (found and printed empty), ''dash'' (—, -, /, 无 …), ''text'', or ''unread'' (the table was found but the parser could not attribute a value to this cell: our misread, raw and value NULL, never reported against the agency — CELL_UNREAD).';

-- rules
COMMENT ON TABLE rules IS 'The audit rules (DESIGN §6), rewritten on every run: the checks'' catalogue (gongkai.checks) and the SQL panel rules (headers of gongkai/warehouse/sql/rules/*.sql).';
COMMENT ON COLUMN rules.rule_id IS 'Rule identifier, e.g. T3_BALANCE (key).';
COMMENT ON COLUMN rules.family IS 'parse, format, completeness, balance, cross_year, text_table or plausibility.';
COMMENT ON COLUMN rules.severity IS '''error'' or ''warning''.';
COMMENT ON COLUMN rules.responsibility IS 'Whom a failure is counted against: ''source'' (the agency''s report) or ''parser'' (the parse family: our failure to read it; counted apart in the scorecards).';
COMMENT ON COLUMN rules.engine IS 'What evaluates the rule: ''pandera'', ''gx'', ''sql'' or ''parser''.';
COMMENT ON COLUMN rules.title_zh IS 'Short title in Chinese.';
COMMENT ON COLUMN rules.title_en IS 'Short title in English.';
COMMENT ON COLUMN rules.description IS 'What the rule checks, in English.';

-- findings
COMMENT ON TABLE findings IS 'One row per rule violation (or not-assessable instance) found in a report; kept from the first run that found it. Cross-year findings (XY_*) are re-evaluated when the previous or next year''s report changes: one that no longer holds gets resolved_run_id and leaves findings_current, but stays here.';
COMMENT ON COLUMN findings.finding_id IS 'Stable id (key): first 16 hex digits of sha256 over report_id, rule_id, table_id, row_key, col_key joined by U+001F, NULL as U+001E (gongkai.findings.finding_ids); a re-run finds the same id.';
COMMENT ON COLUMN findings.run_id IS 'First run that recorded the finding (runs.run_id).';
COMMENT ON COLUMN findings.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN findings.agency_id IS 'Agency id of the report (copied from reports).';
COMMENT ON COLUMN findings.agency IS 'Agency name of the report (copied from reports).';
COMMENT ON COLUMN findings.year IS 'Year of the report (copied from reports).';
COMMENT ON COLUMN findings.rule_id IS 'Rule violated (rules.rule_id).';
COMMENT ON COLUMN findings.family IS 'Rule family (copied from the rule).';
COMMENT ON COLUMN findings.severity IS 'Rule severity: ''error'' or ''warning''.';
COMMENT ON COLUMN findings.table_id IS 'Table concerned (t2, t3, t4), if any.';
COMMENT ON COLUMN findings.row_key IS 'Row concerned (or section number for SECTION_MISSING; ''a+b'' when a TEXT_TABLE fact sums rows), if any.';
COMMENT ON COLUMN findings.col_key IS 'Column concerned (''a+b'' when a TEXT_TABLE fact sums columns), if any.';
COMMENT ON COLUMN findings.expected IS 'Expected number (e.g. the sum the identity requires), in the unit of the cells compared (件, or 万元 for 表二 fees); for YEAR_MISMATCH the filed year; NULL when the rule has none.';
COMMENT ON COLUMN findings.observed IS 'Observed number (e.g. the printed total), in the same unit; for XY_COPY the narrative''s 3-gram Jaccard similarity (0–1, 4 decimals); NULL when the rule has none.';
COMMENT ON COLUMN findings.message IS 'Explanation in Chinese for the inspector.';
COMMENT ON COLUMN findings.status IS '''fail'' (rule violated) or ''not_assessable'' (an operand was blank, a dash or text, so pass/fail cannot be decided).';
COMMENT ON COLUMN findings.resolved_run_id IS 'Run whose re-evaluation no longer produced this cross-year finding (runs.run_id), or ''migration:0007'' for a CELL_BLANK that migration turned into CELL_UNREAD; NULL while it holds. Resolved findings are hidden from findings_current and report_scorecard.';

-- rule_results
COMMENT ON TABLE rule_results IS 'How often each rule was evaluated on each report; key (run_id, report_id, rule_id). A row is added when a (report, rule) result is new or changed, so the latest row per (report_id, rule_id) is the current result. Distinguishes checked-and-clean from not checked.';
COMMENT ON COLUMN rule_results.run_id IS 'Run that recorded the result (runs.run_id).';
COMMENT ON COLUMN rule_results.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN rule_results.rule_id IS 'Rule (rules.rule_id).';
COMMENT ON COLUMN rule_results.evaluated IS 'Number of instances (cells, rows, columns…) the rule was evaluated on.';
COMMENT ON COLUMN rule_results.failed IS 'Number of instances that failed.';
COMMENT ON COLUMN rule_results.not_assessable IS 'Number of instances that could not be decided (an operand blank, a dash or text).';

-- reviews
COMMENT ON TABLE reviews IS 'Inspectors'' decisions on findings, one row per finding: derived by each audit run from the latest merged event of the finding''s fingerprint (review_events), never reset by a run.';
COMMENT ON COLUMN reviews.finding_id IS 'Finding reviewed (findings.finding_id, key).';
COMMENT ON COLUMN reviews.decision IS '''confirmed'', ''dismissed'', ''notified'' (correction notice sent) or ''reopened'' (the decision was withdrawn, or the evidence changed since it was made: review again).';
COMMENT ON COLUMN reviews.note IS 'Reviewer''s note.';
COMMENT ON COLUMN reviews.reviewer IS 'Who decided.';
COMMENT ON COLUMN reviews.decided_at IS 'When the decision was made (UTC).';
COMMENT ON COLUMN reviews.reason IS 'Dismissal reason code: parse_error, source_ok_definition, duplicate, accepted, other; NULL otherwise.';
COMMENT ON COLUMN reviews.reference IS 'Reference of the correction notice (文号) of a ''notified'' decision.';
COMMENT ON COLUMN reviews.deadline IS 'Correction deadline (整改期限, a date) of a ''notified'' decision.';
COMMENT ON COLUMN reviews.fingerprint IS 'Stable key of the finding across runs and report versions: sha256 of rule · agency · year · table · row · col (32 hex digits); NULL for a decision not made through the review store.';
COMMENT ON COLUMN reviews.event_uid IS 'The review_events row this decision comes from; NULL for a decision not made through the review store.';

-- review_events
COMMENT ON TABLE review_events IS 'Every decision event of the dashboard''s review store (and gongkai review), merged once by the audit run that followed it; append-only; key event_uid.';
COMMENT ON COLUMN review_events.event_uid IS 'The event''s uid in the review store (key: an event is merged once).';
COMMENT ON COLUMN review_events.seq IS 'The event''s order in its store (event_id there).';
COMMENT ON COLUMN review_events.fingerprint IS 'Stable key of the finding: sha256 of rule · agency · year · table · row · col (32 hex digits).';
COMMENT ON COLUMN review_events.finding_id IS 'The finding the reviewer decided on (findings.finding_id).';
COMMENT ON COLUMN review_events.rule_id IS 'Rule of the finding.';
COMMENT ON COLUMN review_events.agency_id IS 'Agency of the finding.';
COMMENT ON COLUMN review_events.year IS 'Report year of the finding.';
COMMENT ON COLUMN review_events.table_id IS 'Table of the finding, if any.';
COMMENT ON COLUMN review_events.row_key IS 'Row of the finding, if any.';
COMMENT ON COLUMN review_events.col_key IS 'Column of the finding, if any.';
COMMENT ON COLUMN review_events.decision IS '''confirmed'', ''dismissed'', ''notified'' or ''reopened'' (withdrawn).';
COMMENT ON COLUMN review_events.reason IS 'Dismissal reason code, for a dismissal.';
COMMENT ON COLUMN review_events.note IS 'Reviewer''s note.';
COMMENT ON COLUMN review_events.reference IS 'Correction notice reference (文号), for a notification.';
COMMENT ON COLUMN review_events.deadline IS 'Correction deadline (整改期限, a date), for a notification.';
COMMENT ON COLUMN review_events.reviewer IS 'Who decided (the dashboard user, or local without authentication).';
COMMENT ON COLUMN review_events.decided_at IS 'When the decision was made (UTC).';
COMMENT ON COLUMN review_events.ev_report_id IS 'Evidence seen: the report version (reports.report_id).';
COMMENT ON COLUMN review_events.ev_expected IS 'Evidence seen: the expected number, if any.';
COMMENT ON COLUMN review_events.ev_observed IS 'Evidence seen: the observed number, if any.';
COMMENT ON COLUMN review_events.ev_status IS 'Evidence seen: ''fail'' or ''not_assessable''.';
COMMENT ON COLUMN review_events.merged_run_id IS 'The audit run that merged the event (runs.run_id).';

-- statements
COMMENT ON TABLE statements IS 'Numbers stated in the narrative of each report (sections 一 and 六, and the introduction when parsed), read conservatively by gongkai.report.statements; key (report_id, seq). TEXT_TABLE compares them with the tables, YEAR_MISMATCH the report_year row with reports.year.';
COMMENT ON COLUMN statements.report_id IS 'Report (reports.report_id).';
COMMENT ON COLUMN statements.seq IS 'Order of the statement within its report (1, 2, … in text order).';
COMMENT ON COLUMN statements.fact IS 'What is stated: received, carried_over, processed, carried_forward, granted, partially_granted, granted_or_partial, review, litigation (counts of 表三/表四 in 件, see gongkai.report.statements.FACTS) or report_year (the year the text reports on).';
COMMENT ON COLUMN statements.value IS 'The number stated (Chinese numerals converted; 未收到…申请 / 未发生…行政复议 = 0); for report_year the year.';
COMMENT ON COLUMN statements.sentence IS 'The sentence it was read from, as normalised (NFKC, spaces next to Chinese removed).';

-- panel_inputs
COMMENT ON TABLE panel_inputs IS 'Per parsed report, what the panel rules read (gongkai/warehouse/panel/, sql/rules/), so that a run reads one row per report of the pairs it re-evaluates instead of scanning cells and sections: fingerprints for XY_COPY (gongkai.report.fingerprints.fingerprints_frame) and a copy of the few cells the cross-year rules compare; key report_id. Written with the report; recomputed from cells and sections when missing (reports loaded before migration 0003) or lacking an operand the rules now read.';
COMMENT ON COLUMN panel_inputs.report_id IS 'Report (reports.report_id, key).';
COMMENT ON COLUMN panel_inputs.cells IS 'Number of cells of its tables (cells rows).';
COMMENT ON COLUMN panel_inputs.nonzero_cells IS 'Cells holding a non-zero number (identical tables count as copied only with at least 5).';
COMMENT ON COLUMN panel_inputs.cells_digest IS 'Order-independent digest of every cell''s value (table, row, column, semantic, and the normalised number, or the NFKC text without whitespace of a dash or text cell): sum mod 2^64 of a keyed SipHash per cell, 16 hex digits; equal digests = the same tables whatever the rendering (HTML, text dump, GBK page with full-width digits, DOCX, PDF). NULL without cells.';
COMMENT ON COLUMN panel_inputs.digest_version IS 'Definition of cells_digest (gongkai.report.fingerprints.DIGEST_VERSION): 2 = on values; NULL = the raw-text digest of rows written before migration 0008, recomputed when a run reads the row, never compared with a digest of another version.';
COMMENT ON COLUMN panel_inputs.text_chars IS 'Length of the narrative (sections 一…六 joined, whitespace removed).';
COMMENT ON COLUMN panel_inputs.text_grams IS 'Distinct character 3-grams of the narrative (counted by 32-bit hash): J(A, B) ≤ min/max of two counts, so pairs of very different size are not compared.';
COMMENT ON COLUMN panel_inputs.text_sketch IS 'The 64 smallest distinct 32-bit hashes of the narrative''s character 3-grams (bottom-k sketch; the share of hashes two reports have in common preselects pairs for the exact Jaccard similarity).';
COMMENT ON COLUMN panel_inputs.panel_cells IS 'Copy of the cells the cross-year rules compare (value and semantic as in cells; raw only for dash/text cells), each named by key = ''table_id.row_key.col_key'' (gongkai.warehouse.panel.operands.OPERANDS: 表三 二、上年结转 and 四、结转下年度 per column, 表二 规章 and 行政规范性文件 本年制发/本年废止/现行有效).';
COMMENT ON COLUMN panel_inputs.panel_keys IS 'The operand keys captured when the row was written (present in the report or not): a run needing a key not listed recomputes the row.';

-- reparses
COMMENT ON TABLE reparses IS 'History of re-parses (migration 0011): one row per report re-parsed from its archived bytes (<archive>/<sha256[:2]>/<sha256>.<source_format>) by a run, because its parser_version differed from the running parser (automatically for an older version, or gongkai audit --reparse). The report keeps report_id, first_run_id, source_path and its manifest fields; its cells, sections, statements and panel inputs were replaced; findings no longer produced got resolved_run_id = run_id, findings produced again were reopened.';
COMMENT ON COLUMN reparses.report_id IS 'Report re-parsed (reports.report_id).';
COMMENT ON COLUMN reparses.run_id IS 'Run that re-parsed it (runs.run_id).';
COMMENT ON COLUMN reparses.from_version IS 'reports.parser_version before the re-parse (NULL if it was unknown).';
COMMENT ON COLUMN reparses.to_version IS 'Parser version of the re-parse (gongkai.PARSER_VERSION of the run).';
COMMENT ON COLUMN reparses.from_status IS 'reports.status before the re-parse: parsed, partial or failed.';
COMMENT ON COLUMN reparses.to_status IS 'reports.status after the re-parse.';
COMMENT ON COLUMN reparses.reparsed_at IS 'Start of the run that re-parsed it (UTC).';

-- rederived_reports
COMMENT ON TABLE rederived_reports IS 'Reports whose agency_id migration 0010 re-derived from the national division list and whose cross-year pairs no run has evaluated since; the next audit evaluates them (sql/panel/pairs.sql) and empties the table.';
COMMENT ON COLUMN rederived_reports.report_id IS 'Report (reports.report_id) whose agency_id migration 0010 changed.';
