-- 0010_division_code: the six-digit administrative division code (行政区划代码) of the agency's place
-- (issue 10 item 5), derived from the agency name by the national division list (gongkai.ingest.divisions,
-- gongkai/form/data/divisions.csv) or from the region the manifest or registry gives.
-- After this SQL, a Python step (gongkai.warehouse.write.rederive, run by migrate.py) re-derives the identity
-- of the reports already loaded, as a run would now: division_code for every report whose name carries a
-- place; region and level where they were NULL; and agency_id = division code + organ ("320813:人民政府")
-- where it was the name fallback (a manifest or registry agency_id is kept), so that "淮安市洪泽区人民政府" and
-- "洪泽区人民政府" of consecutive years become one agency. Agency-years that now hold several current
-- versions keep the newest one current; findings.agency_id follows its report. Reports whose agency_id changed
-- are listed in rederived_reports until a run has evaluated their cross-year pairs (sql/panel/pairs.sql reads
-- it, gongkai.warehouse.panel.evaluate empties it): a warehouse first written after the upgrade by a review or
-- a failed run still gets its newly linked pairs checked by the next audit.

ALTER TABLE reports ADD COLUMN division_code VARCHAR;

CREATE TABLE rederived_reports (report_id VARCHAR PRIMARY KEY);
