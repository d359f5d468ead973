"""End to end: `gongkai audit` over the bundled sample harvest into a temporary warehouse.

Every generated sample carries one defect; its exact findings come from the generator's independent
reference evaluator (gongkai.synth.evaluate), so each rule is shown firing at the exact cell on a
report built to break it and staying silent on balanced ones.
"""

from __future__ import annotations

import math

import duckdb
import pytest
from support import AUDIT_TABLES as TABLES
from support import HARVEST, invoke, shown, snapshot

from gongkai.synth.report import make_report
from gongkai.synth.samples import SAMPLES, SEED, sample_name

N_FILES = sum(1 for p in HARVEST.iterdir() if p.name != "manifest.jsonl")


def _q(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _findings(db, path_like):
    rows = _q(db, """SELECT f.rule_id, f.table_id, f.row_key, f.col_key, f.status, f.expected, f.observed
                     FROM findings f JOIN reports r USING (report_id) WHERE r.source_path LIKE ?""", f"%{path_like}")
    return sorted((r[0], r[1], r[2], r[3], r[4], _num(r[5]), _num(r[6])) for r in rows)


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@pytest.mark.parametrize("stem, agency, year, defects, rendering", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_rule_fires_exactly_where_the_defect_is(audited, stem, agency, year, defects, rendering):
    db = audited.db
    truth = make_report(SEED, agency, year, defects, region="示范县").expected_findings
    expected = sorted((f["rule_id"], f["table_id"], f["row_key"], f["col_key"], f["status"],
                       _num(f.get("expected")), _num(f.get("observed"))) for f in truth)
    assert _findings(db, sample_name(stem, year, rendering)) == expected
    if defects:
        assert expected, "a defect sample must produce findings"


def test_seed_report_has_200_zero_cells_and_no_finding(audited):
    db = audited.db
    rows = _q(db, """SELECT r.status, r.year, r.format_version, count(c.row_key), count(*) FILTER (c.semantic = 'number' AND c.value = 0)
                     FROM reports r JOIN cells c USING (report_id) WHERE r.source_path LIKE '%wuxing_office_2021.txt' GROUP BY ALL""")
    assert rows == [("parsed", 2021, "2021", 200, 200)]
    assert _findings(db, "wuxing_office_2021.txt") == []
    evaluated = _q(db, """SELECT rule_id, sum(evaluated), sum(failed), sum(not_assessable) FROM rule_results rr JOIN reports r USING (report_id)
                          WHERE r.source_path LIKE '%wuxing_office_2021.txt' AND rule_id IN ('T3_BALANCE','T3_TOTAL_COLUMN','T3_OUTCOME_SUM','T4_TOTAL') GROUP BY 1 ORDER BY 1""")
    assert evaluated == [("T3_BALANCE", 7, 0, 0), ("T3_OUTCOME_SUM", 7, 0, 0), ("T3_TOTAL_COLUMN", 25, 0, 0), ("T4_TOTAL", 3, 0, 0)]


def test_real_html_totals_and_blank_legal_person_cells(audited):
    db = audited.db
    cells = dict(((r, c), (v, s)) for r, c, v, s in _q(db, """
        SELECT row_key, col_key, value, semantic FROM cells JOIN reports r USING (report_id)
        WHERE r.source_path LIKE '%shuyang_fgj_2023.html' AND table_id = 't3'"""))
    assert cells[("new_received", "total")] == (26.0, "number")
    assert cells[("processed_total", "total")] == (26.0, "number")
    assert cells[("carried_forward", "total")] == (0.0, "number")
    assert cells[("new_received", "commercial")] == (None, "blank")  # blank is not zero
    assert {cells[(r, c)][1] for r in ("new_received", "granted", "carried_forward")
            for c in ("commercial", "research", "social_welfare", "legal_services", "other_org")} == {"blank"}
    found = _findings(db, "shuyang_fgj_2023.html")
    assert {(f[0], f[4]) for f in found} == {("CELL_BLANK", "fail"), ("T3_TOTAL_COLUMN", "not_assessable"),
                                             ("T3_BALANCE", "not_assessable"), ("T3_OUTCOME_SUM", "not_assessable")}
    assert sum(f[0] == "CELL_BLANK" for f in found) == 125
    assert not [f for f in found if f[0] == "T4_TOTAL"]  # 0+0+0+1 = 1 holds


def test_real_pdf_pair_is_one_agency_in_the_mixed_format(audited):
    """The 洪泽 2023/2024 PDFs in the sample harvest: one agency (registry), region and level stored, the
    single （六）其他处理 row kept, carry-over checked with no failure, the mixed layout reported once a year."""
    db = audited.db
    rows = _q(db, """SELECT year, agency_id, region, level, status, format_version FROM reports
                     WHERE source_path LIKE '%hongze_district_%' ORDER BY year""")
    assert rows == [(y, "js-huaian-hongze", "江苏省/淮安市/洪泽区", "county", "parsed", "2021") for y in (2023, 2024)]
    xy = _q(db, """SELECT sum(evaluated), sum(failed) FROM rule_results rr JOIN reports r USING (report_id)
                   WHERE rule_id = 'XY_CARRY_OVER' AND r.source_path LIKE '%hongze_district_2024.pdf'""")
    assert xy == [(7, 0)]
    for year in (2023, 2024):
        found = _findings(db, f"hongze_district_{year}.pdf")
        assert [f[:4] for f in found if f[0] == "FORMAT_OUTDATED"] == [("FORMAT_OUTDATED", "t3", "y2019_other_processing", None)]
        assert not [f for f in found if f[0] in ("T3_BALANCE", "T3_OUTCOME_SUM", "T3_TOTAL_COLUMN", "XY_CARRY_OVER")]


def test_bad_files_get_failed_rows_with_one_line_reasons(audited):
    db = audited.db
    rows = dict(_q(db, "SELECT source_path, error FROM reports WHERE status = 'failed'"))
    assert {p.rsplit("/", 1)[-1] for p in rows} == {"broken_empty.txt", "broken_random_bytes.html", "broken_not_a_report.html"}
    for path, error in rows.items():
        assert path.rsplit("/", 1)[-1] in error and "\n" not in error
    by_name = {p.rsplit("/", 1)[-1]: e for p, e in rows.items()}
    assert "empty" in by_name["broken_empty.txt"]
    assert "not text" in by_name["broken_random_bytes.html"]
    assert "not an annual report" in by_name["broken_not_a_report.html"]
    assert _q(db, "SELECT count(*) FROM findings WHERE rule_id = 'PARSE_FAILED'") == [(3,)]


def test_second_audit_adds_one_runs_row_and_nothing_else(audited):
    db, before = audited.db, audited.snapshot
    after = snapshot(db)
    assert after["runs"] == before["runs"] + 1
    assert {t: after[t] for t in TABLES} == {t: before[t] for t in TABLES}
    assert _q(db, "SELECT files_seen, files_new, findings_new, status FROM runs ORDER BY started_at") == [
        (N_FILES, N_FILES, _q(db, "SELECT count(*) FROM findings")[0][0], "completed"), (N_FILES, 0, 0, "completed")]


def test_manifest_values_are_stored(audited):
    db = audited.db
    assert _q(db, "SELECT region, source_url FROM reports WHERE source_path LIKE '%sample_t4_total_2023.txt'") == [
        ("示范县", "http://www.example.gov.cn/xxgk/gknb/sample_t4_total_2023.txt")]


def test_sql_command_is_read_only(audited):
    db = audited.db
    before = _q(db, "SELECT count(*) FROM reports")
    res = invoke("sql", "DELETE FROM reports", "--db", str(db))
    assert res.exit_code == 1, shown(res)
    assert "read-only" in res.output and "Traceback" not in res.output, shown(res)
    assert _q(db, "SELECT count(*) FROM reports") == before
    ok = invoke("sql", "SELECT count(*) AS n FROM report_scorecard", "--db", str(db), "--format", "json")
    assert ok.exit_code == 0 and f'"n":{N_FILES}' in ok.output.replace(" ", ""), shown(ok)


def test_findings_command_filters_and_exports(audited, tmp_path):
    db = audited.db
    res = invoke("findings", "--rule", "t4_total", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0, shown(res)
    lines = res.output.strip().splitlines()[1:]
    # the generated T4_TOTAL sample, and 洪泽 2023's real 表四 (复议 总计 0 beside 维持 10, and 诉讼 total 0 beside 5)
    assert len(lines) == 3 and all("T4_TOTAL" in line for line in lines), shown(res)
    assert sum("示范县自然资源局" in line for line in lines) == 1, shown(res)
    assert sum("洪泽区人民政府" in line for line in lines) == 2, shown(res)
    res = invoke("findings", "--rule", "t4_total", "--agency", "示范县自然资源局", "--db", str(db), "--format", "csv")
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == 2, shown(res)
    xlsx = tmp_path / "f.xlsx"
    res = invoke("findings", "--year", "2023", "--status", "fail", "--db", str(db), "--format", "xlsx", "-o", str(xlsx))
    assert res.exit_code == 0 and xlsx.stat().st_size > 0, shown(res)


def test_findings_table_is_the_compact_view(audited, monkeypatch):
    """The terminal table shows id, agency, year, rule, severity, cell, expected→observed and the message;
    csv keeps every column."""
    from gongkai.app import cli

    db = audited.db
    monkeypatch.setattr(cli.out, "width", 200)  # the console's width is fixed when gongkai.terminal is imported
    res = invoke("findings", "--rule", "T4_TOTAL", "--agency", "示范县自然资源局", "--db", str(db))
    assert res.exit_code == 0, shown(res)
    fid = _q(db, "SELECT finding_id FROM findings_current WHERE rule_id = 'T4_TOTAL' AND agency = '示范县自然资源局'")[0][0]
    row = next(line for line in res.output.splitlines() if fid in line)
    assert "T4_TOTAL" in row and "error" in row and "t4/cases/" in row and "→" in row and "表四" in row, shown(res)
    assert "source_path" not in res.output and "1 row(s)" in res.output, shown(res)


def test_sql_table_output_never_interprets_harvested_text_as_markup(audited):
    res = invoke("sql", "SELECT '[bold red]x[/]' AS s, NULL::INT AS n", "--db", str(audited.db))
    assert res.exit_code == 0 and "[bold red]x[/]" in res.output, shown(res)
