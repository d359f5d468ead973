"""The overview screens: today, findings, scorecard, agency, region, rules, runs, health."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gongkai.app.web import charts, data
from gongkai.app.web.reviews import annotate
from gongkai.app.web.site import Site
from gongkai.warehouse.errors import WarehouseMissing

BACKLOG_AGES = ("≤ 1 天 day", "2–7 天 days", "8–30 天 days", "> 30 天 days")


def routes(site: Site) -> list[BaseRoute]:
    # the shared helpers and state (gongkai.app.web.site), under the names the handlers use
    history, page, missing, as_of = site.history, site.page, site.missing, site.as_of
    until, reading, finding_query, store = site.until, site.reading, site.finding_query, site.store

    def home(request: Request) -> Response:
        try:
            with reading(request) as con:
                run = data.published_run(con)
                latest = data.one(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
                # the agency's failures apart from ours (responsibility 'parser': files or cells we could not read)
                new = data.one(con, """
                    SELECT count(*) FILTER (WHERE coalesce(u.responsibility, 'source') <> 'parser') AS n,
                           count(*) FILTER (WHERE u.responsibility = 'parser') AS ours
                    FROM findings_current AS f LEFT JOIN rules AS u ON u.rule_id = f.rule_id
                    WHERE f.run_id = ? AND f.status = 'fail'""", [run["run_id"] if run else None])
                review = data.FILTERS["review"]
                data.prepare_reviews(con, store.all_latest(until(request)))
                pending = data.rows(con, f"""
                    SELECT r.region, count(*) FILTER (WHERE {review} = 'pending') AS n,
                           count(*) FILTER (WHERE {review} = 'reopened') AS reopened, min(f.run_id) AS oldest_run
                    {data.FROM_FINDINGS}
                    WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened')
                    GROUP BY r.region ORDER BY n DESC, r.region""")
                now = (as_of(request) or {}).get("finished_at") or datetime.now(UTC).replace(tzinfo=None)
                ages = dict(con.execute(f"""
                    SELECT CASE WHEN age <= 1 THEN 0 WHEN age <= 7 THEN 1 WHEN age <= 30 THEN 2 ELSE 3 END, count(*)
                    FROM (SELECT date_diff('day', u.started_at, ?) AS age {data.FROM_FINDINGS}
                          JOIN runs AS u ON u.run_id = f.run_id
                          WHERE f.status = 'fail' AND {review} IN ('pending', 'reopened'))
                    GROUP BY ALL""", [now]).fetchall())
                reports = data.one(con, """
                    SELECT count(*) AS n, count(*) FILTER (WHERE status = 'parsed') AS parsed,
                           count(*) FILTER (WHERE status = 'partial') AS partial,
                           count(*) FILTER (WHERE status = 'failed') AS failed
                    FROM reports WHERE is_current""")
        except WarehouseMissing as exc:
            return missing(request, exc)
        backlog = [(label, int(ages.get(i, 0))) for i, label in enumerate(BACKLOG_AGES)]
        chart = charts.bars("待复核不通过的积压（按首次发现至今天数） review backlog by age", [b[0] for b in backlog],
                            [("待复核 pending", "#d9a400", False, [b[1] for b in backlog])], width=440, height=180)
        return page("home.html", request, backlog=backlog, backlog_chart=chart, run=run, latest=latest, new=new["n"] if new else 0,
                    ours=new["ours"] if new else 0, pending=pending,
                    pending_total=sum(p["n"] for p in pending), reopened=sum(p["reopened"] for p in pending),
                    reports=reports)

    def findings(request: Request) -> Response:
        qp = request.query_params
        filters, fq = finding_query(request)
        try:
            with reading(request) as con:
                total, items, facets = data.findings_page(con, fq)
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, items, until(request))

        def url(**change: str | int | None) -> str:
            params = {k: v for k, v in qp.items() if v}
            params.pop("page", None)
            for k, v in change.items():
                if v is None or v == "":
                    params.pop(k, None)
                else:
                    params[k] = str(v)
            return "/findings" + ("?" + urlencode(params) if params else "")

        pages = max(1, (total + data.PAGE_SIZE - 1) // data.PAGE_SIZE)
        return page("findings.html", request, total=total, items=items, facets=facets, filters=filters,
                    q=fq.q, sort=fq.sort, sorts=list(data.SORTS), page_no=fq.page, pages=pages, url=url)

    def scorecard(request: Request) -> Response:
        qp = request.query_params
        filters = {k: qp.get(k, "").strip() for k in data.SCORE_FILTERS}
        sort = qp.get("sort", "agency")
        sort = sort if sort in data.SCORE_SORTS else "agency"
        try:
            with reading(request) as con:
                fams, items = data.scorecard(con, filters, sort)
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("scorecard.html", request, fams=fams, items=items, filters=filters, sort=sort,
                    sorts=list(data.SCORE_SORTS))

    def agency(request: Request) -> Response:
        agency_id = request.path_params["agency_id"]
        try:
            with reading(request) as con:
                fams, years = data.scorecard(con, {}, "year", agency_id=agency_id)
                versions = data.rows(con, """
                    SELECT report_id, agency, region, level, year, status, format_version, source_path, is_current,
                           first_run_id FROM reports WHERE agency_id = ? ORDER BY year DESC, is_current DESC, parsed_at DESC""",
                    [agency_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        if not versions:
            return page("error.html", request, status=404, title="单位不存在 / No such agency", message=agency_id)
        by_year = sorted(years, key=lambda r: r["year"])
        chart = charts.bars("各年度不通过（错误、警告） failures per year (errors, warnings)",
                            [str(r["year"]) for r in by_year],
                            [("错误 errors", "#b00020", False, [int(r["errors"]) for r in by_year]),
                             ("警告 warnings", "#9ecae1", True, [int(r["warnings"]) for r in by_year])],
                            [f"/reports/{r['current_report_id']}" for r in by_year],
                            width=min(520, 80 + 110 * len(by_year))) if by_year else None
        return page("agency.html", request, agency_id=agency_id, agency_name=versions[0]["agency"], fams=fams,
                    years=years, versions=versions, chart=chart)

    def region(request: Request) -> Response:
        """/regions/{code}: the region's agencies (its subtree) and their failures, split by level; ?year=."""
        code = request.path_params["code"]
        year = request.query_params.get("year", "").strip()
        try:
            with reading(request) as con:
                data.prepare_reviews(con, store.all_latest(until(request)))
                got = data.region_summary(con, code, year)
        except WarehouseMissing as exc:
            return missing(request, exc)
        if not got["years"]:
            return page("error.html", request, status=404, title="地区不存在 / No such region", message=code)
        return page("region.html", request, code=code, year=year, **got)

    def rules(request: Request) -> Response:
        try:
            with reading(request) as con:
                items = data.rows(con, """
                    SELECT u.rule_id, u.family, u.severity, u.engine, u.title_zh, u.title_en, u.description,
                           count(f.finding_id) FILTER (WHERE f.status = 'fail') AS fails,
                           count(f.finding_id) FILTER (WHERE f.status = 'not_assessable') AS not_assessable
                    FROM rules AS u LEFT JOIN findings_current AS f ON f.rule_id = u.rule_id
                    GROUP BY ALL ORDER BY u.family, u.rule_id""")
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("rules.html", request, items=items)

    def rule(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        try:
            with reading(request) as con:
                meta = data.one(con, "SELECT * FROM rules WHERE rule_id = ?", [rule_id])
                if meta is None:
                    return page("error.html", request, status=404, title="规则不存在 / No such rule", message=rule_id)
                rates = data.rule_rates(con, rule_id)
                data.prepare_reviews(con, store.all_latest(until(request)))
                reasons = data.rows(con, f"""
                    SELECT ev.reason, count(*) AS n {data.FROM_FINDINGS}
                    WHERE f.rule_id = ? AND ev.decision = 'dismissed'
                    GROUP BY ev.reason ORDER BY n DESC""", [rule_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        regions = list(dict.fromkeys(r["region"] or "（未知 unknown）" for r in rates))
        years = sorted({str(r["year"]) for r in rates if r["year"] is not None})
        cells = {(r["region"] or "（未知 unknown）", str(r["year"])): (r["failing"], r["evaluated"]) for r in rates}
        hrefs = {(r["region"] or "（未知 unknown）", str(r["year"])): "/findings?" + urlencode(
            {k: v for k, v in (("rule", rule_id), ("status", "fail"), ("region", r["region"] or ""),
                               ("year", str(r["year"])), ("run", request.query_params.get("run", ""))) if v})
            for r in rates if r["failing"]}
        heat = charts.heat_map(f"{rule_id} 不通过率（地区 × 年度） failure rate by region × year", regions, years,
                               cells, hrefs) if rates else None
        return page("rule.html", request, rule=meta, rates=rates, dismissals=reasons, heat=heat)

    def runs(request: Request) -> Response:
        try:
            with reading(request) as con:
                items = data.rows(con, "SELECT * FROM runs ORDER BY started_at DESC LIMIT 200")
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("runs.html", request, items=items)

    def run_detail(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        try:
            with reading(request) as con:
                run = data.one(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
                if run is None:
                    return page("error.html", request, status=404, title="批次不存在 / No such run", message=run_id)
                counts = data.one(con, """
                    SELECT count(*) FILTER (WHERE run_id = ?) AS new,
                           count(*) FILTER (WHERE resolved_run_id = ?) AS resolved FROM findings""", [run_id, run_id])
                bad = data.rows(con, """
                    SELECT report_id, source_path, agency, year, status, error, notes FROM reports
                    WHERE first_run_id = ? AND status IN ('failed', 'partial') ORDER BY status, source_path""", [run_id])
        except WarehouseMissing as exc:
            return missing(request, exc)
        return page("run.html", request, run=run, counts=counts, bad=bad)

    def healthz(request: Request) -> Response:
        try:
            with reading(request) as con:
                run = data.published_run(con)
                n = con.execute("SELECT count(*) FROM reports").fetchone()
        except WarehouseMissing as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=503)
        return JSONResponse({"ok": True, "published_run_id": run["run_id"] if run else None,
                             "reports": int(n[0]) if n else 0})

    return [
        Route("/", history(home)), Route("/findings", history(findings)),
        Route("/scorecard", history(scorecard)), Route("/agencies/{agency_id}", history(agency)),
        Route("/regions/{code:path}", history(region)), Route("/rules", history(rules)),
        Route("/rules/{rule_id}", history(rule)), Route("/runs", runs), Route("/runs/{run_id}", run_detail),
        Route("/healthz", healthz),
    ]
