"""The report screens: the report as printed with its findings, year over year, the stored original."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from gongkai.app.web import data, export
from gongkai.app.web.printed import CIRCLED, NOT_ASSESSABLE, Cell, anchor, layout_tables, marked_parts, operands
from gongkai.app.web.reviews import annotate
from gongkai.app.web.site import Site
from gongkai.form import template
from gongkai.ingest import archive as evidence
from gongkai.warehouse.errors import WarehouseMissing


def routes(site: Site) -> list[BaseRoute]:
    # the shared helpers and state (gongkai.app.web.site), under the names the handlers use
    history, page, missing, until = site.history, site.page, site.missing, site.until
    reading, store, archive = site.reading, site.store, site.archive

    def report(request: Request) -> Response:
        report_id = request.path_params["report_id"]
        focus = request.query_params.get("focus", "")
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT * FROM reports WHERE report_id = ?", [report_id])
                if rep is None:
                    return page("error.html", request, status=404, title="报告不存在 / No such report",
                                message=f"report {report_id}")
                cells = data.rows(con, "SELECT table_id, row_key, col_key, value, raw, semantic FROM cells "
                                       "WHERE report_id = ?", [report_id])
                sections = data.rows(con, "SELECT section_no, title, text, present FROM sections WHERE report_id = ? "
                                          "ORDER BY section_no", [report_id])
                found = data.rows(con, """
                    SELECT f.*, v.decision, u.title_zh, u.title_en
                    FROM findings AS f
                    LEFT JOIN reviews AS v ON v.finding_id = f.finding_id
                    LEFT JOIN rules AS u ON u.rule_id = f.rule_id
                    WHERE f.report_id = ? AND f.resolved_run_id IS NULL
                    ORDER BY f.status, f.table_id NULLS LAST, f.rule_id, f.row_key, f.col_key""", [report_id])
                review = data.FILTERS["review"]
                data.prepare_reviews(con, store.all_latest(until(request)))
                queue = [rid for (rid,) in con.execute(f"""
                    SELECT f.report_id {data.FROM_FINDINGS}
                    WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened')
                    GROUP BY f.report_id, f.agency, f.year ORDER BY f.agency, f.year, f.report_id""").fetchall()]
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, found, until(request))
        at = queue.index(report_id) if report_id in queue else -1
        prev_pending = queue[at - 1] if at > 0 else None
        next_pending = queue[at + 1] if at + 1 < len(queue) else None
        lookup: dict[tuple[str, str, str], Cell] = {}
        for c in cells:
            lookup[(c["table_id"], c["row_key"], c["col_key"])] = Cell(
                c["table_id"], c["row_key"], c["col_key"], c["raw"] or "", c["value"], c["semantic"])
        layout = rep.get("layout") or rep.get("format_version") or "unknown"
        formula = None
        for f in found:
            key = anchor(f, layout)
            if key is None:
                continue
            cell = lookup.setdefault(key, Cell(*key))
            if f["status"] == "fail":
                cell.failing.append(f)
            if f["finding_id"] == focus:
                cell.focused = True
                if f in cell.failing:  # the focused finding's numbers come first
                    cell.failing.remove(f)
                    cell.failing.insert(0, f)
                exp, obs = operands(f["rule_id"], f["table_id"], f["row_key"], f["col_key"], layout)
                for i, k in enumerate(exp + obs):
                    lookup.setdefault(k, Cell(*k)).operand = CIRCLED[i] if i < len(CIRCLED) else str(i + 1)
                if exp or obs:
                    def term(k: tuple[str, str, str]) -> dict[str, str]:
                        c = lookup[k]
                        return {"no": c.operand, "name": template.cell_name(*k), "value": c.raw, "id": f"{k[0]}-{k[1]}-{k[2]}"}

                    formula = {"finding": f, "expected": [term(k) for k in exp], "observed": [term(k) for k in obs]}
        tables = layout_tables(layout, lookup) if layout in template.LAYOUTS else None
        for sec in sections:
            sec["parts"] = marked_parts(sec["text"] or "", found)
        present = {"t2": rep.get("has_t2"), "t3": rep.get("has_t3"), "t4": rep.get("has_t4")}
        original = evidence.find(archive, report_id, rep.get("source_format"))
        return page("report.html", request, rep=rep, layout=layout, has_original=original is not None, tables=tables, present=present,
                    sections=sections, findings=found, focus=focus, formula=formula, prev_pending=prev_pending,
                    next_pending=next_pending, section_titles=template.SECTION_TITLES,
                    not_assessable=NOT_ASSESSABLE, titles=template.TABLE_TITLES)

    def cross_year(request: Request) -> Response:
        """Last year's 四、结转下年度继续办理 beside this year's 二、上年结转 per 表三 column, and 表二's stock
        (现行有效 last year + 本年制发 − 本年废止 against 现行有效 this year)."""
        report_id = request.path_params["report_id"]
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT * FROM reports WHERE report_id = ?", [report_id])
                if rep is None:
                    return page("error.html", request, status=404, title="报告不存在 / No such report",
                                message=f"report {report_id}")
                prev = data.one(con, "SELECT * FROM reports WHERE agency_id = ? AND year = ? AND is_current",
                                [rep["agency_id"], (rep["year"] or 0) - 1]) if rep["agency_id"] and rep["year"] else None
                ids = [report_id] + ([prev["report_id"]] if prev else [])
                vals = {(rid, t, r, c): (v, raw, sem) for rid, t, r, c, v, raw, sem in con.execute(
                    "SELECT report_id, table_id, row_key, col_key, value, raw, semantic FROM cells "
                    "WHERE report_id IN (SELECT unnest(?::VARCHAR[])) AND table_id IN ('t2', 't3')", [ids]).fetchall()}
                xy = data.rows(con, "SELECT * FROM findings WHERE report_id = ? AND rule_id LIKE 'XY%' "
                                    "AND resolved_run_id IS NULL ORDER BY rule_id, table_id, row_key, col_key", [report_id])
        except WarehouseMissing as exc:
            return missing(request, exc)

        def num(rid: str | None, t: str, r: str, c: str) -> float | None:
            v = vals.get((rid or "", t, r, c))
            return v[0] if v and v[2] == "number" else None

        prev_id = prev["report_id"] if prev else None
        carry = []
        for c in template.col_keys("2021", "t3"):
            last, now = num(prev_id, "t3", "carried_forward", c), num(report_id, "t3", "carried_over", c)
            carry.append({"col": template.col_label("t3", c), "last": last, "now": now,
                          "ok": None if last is None or now is None else last == now})
        stock = []
        for r in ("regulations", "normative_docs"):
            last = num(prev_id, "t2", r, "in_force")
            issued, repealed, now = (num(report_id, "t2", r, k) for k in ("issued", "repealed", "in_force"))
            expected = None if None in (last, issued, repealed) else last + issued - repealed  # type: ignore[operator]
            stock.append({"row": template.row_label("t2", r), "last": last, "issued": issued, "repealed": repealed,
                          "expected": expected, "now": now,
                          "ok": None if expected is None or now is None else expected == now})
        return page("cross_year.html", request, rep=rep, prev=prev, carry=carry, stock=stock, xy=xy)

    def original(request: Request) -> Response:
        """/reports/{id}/original: the audited file from the archive, as an attachment (application/octet-stream,
        nosniff, a sandbox CSP), never rendered inline; 404 with a bilingual message when it is not there."""
        report_id = request.path_params["report_id"]
        try:
            with reading(request) as con:
                rep = data.one(con, "SELECT report_id, source_format, source_path FROM reports WHERE report_id = ?",
                               [report_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        path = evidence.find(archive, report_id, rep["source_format"]) if rep else None
        if rep is None or path is None:
            return page("error.html", request, status=404, title="原件未存档 / Original not archived",
                        message=f"原件未存档 the original file of report {report_id} is not in the archive {archive}")
        if evidence.file_sha256(path) != report_id:
            return page("error.html", request, status=409, title="原件已损坏 / Archived file changed",
                        message=f"存档文件与其 sha256 不符 the archived file {path.name} no longer hashes to its report id")
        name = Path(str(rep["source_path"] or "").replace("\\", "/")).name or path.name
        return FileResponse(path, media_type="application/octet-stream", headers={
            "content-disposition": export.disposition(name, path.name),
            "content-security-policy": "sandbox", "cache-control": "no-store"})  # nosniff: SecurityHeaders

    return [
        Route("/reports/{report_id}", history(report)),
        Route("/reports/{report_id}/cross-year", history(cross_year)),
        Route("/reports/{report_id}/original", original),
    ]
