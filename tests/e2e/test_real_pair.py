"""The real 洪泽 2023/2024 PDFs of the sample harvest: one agency across the two titles, carry-over checked, no
false finding."""

from __future__ import annotations

import duckdb


def test_hongze_pair_links_and_carry_over_holds(audited):
    con = duckdb.connect(str(audited.db), read_only=True)
    try:
        rows = con.execute("SELECT agency, agency_id, year FROM reports WHERE source_path LIKE '%hongze_district_%'"
                           " ORDER BY year").fetchall()
        assert rows == [("洪泽区人民政府", "js-huaian-hongze", 2023), ("淮安市洪泽区人民政府", "js-huaian-hongze", 2024)]
        # region and level come from the registry entry the titles resolved to
        assert con.execute("SELECT DISTINCT region, level FROM reports WHERE agency_id = 'js-huaian-hongze'"
                           ).fetchall() == [("江苏省/淮安市/洪泽区", "county")]
        assert con.execute("SELECT DISTINCT level FROM agency_year WHERE agency_id = 'js-huaian-hongze'"
                           ).fetchall() == [("county",)]
        xy = con.execute("""SELECT sum(evaluated), sum(failed), sum(not_assessable) FROM rule_results rr
                            JOIN reports r USING (report_id)
                            WHERE rule_id = 'XY_CARRY_OVER' AND r.agency_id = 'js-huaian-hongze' AND r.year = 2024"""
                         ).fetchone()
        assert xy[0] >= 1 and xy[1] == 0  # 2024 上年结转 = 2023 结转下年度, checked, no failure
        assert con.execute("SELECT count(*) FROM findings WHERE rule_id = 'XY_CARRY_OVER' AND status = 'fail'"
                           " AND agency_id = 'js-huaian-hongze'").fetchone()[0] == 0
    finally:
        con.close()
