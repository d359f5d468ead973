"""Downloads: the findings list (xlsx, csv) with the current filters, the per-agency correction notice."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from gongkai.app.web import data, export
from gongkai.app.web.reviews import annotate
from gongkai.app.web.site import Site
from gongkai.warehouse.errors import WarehouseMissing


def routes(site: Site) -> list[BaseRoute]:
    # the shared helpers and state (gongkai.app.web.site), under the names the handlers use
    history, missing, until, reading = site.history, site.missing, site.until, site.reading
    finding_query, store = site.finding_query, site.store

    def export_findings(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in ("csv", "xlsx"):
            return PlainTextResponse("unknown export format", status_code=404)
        filters, fq = finding_query(request)
        return exported(request, fmt, filters, fq, export.filename(filters, fmt))

    def export_notice(request: Request) -> Response:
        """The failures of one agency-year, to attach to a 整改通知 (correction notice)."""
        agency_id, year = request.path_params["agency_id"], request.path_params["year"]
        filters = {"agency": agency_id, "year": year, "status": "fail"}
        fq = data.FindingQuery(filters, "", "agency", 1, store.all_latest(until(request)))
        return exported(request, "xlsx", filters, fq, f"整改通知_{agency_id}_{year}.xlsx".replace("/", "-"))

    def exported(request: Request, fmt: str, filters: dict[str, str], fq: data.FindingQuery, name: str) -> Response:
        try:
            with reading(request) as con:
                items = data.findings_all(con, fq)
                rule_rows = data.rows(con, "SELECT * FROM rules ORDER BY rule_id")
                run = data.published_run(con)
        except WarehouseMissing as exc:
            return missing(request, exc)
        annotate(store, items, until(request))
        base = str(request.base_url)
        headers = {"content-disposition": export.disposition(name, f"findings.{fmt}")}
        if fmt == "csv":
            return Response(export.to_csv(items, base), media_type="text/csv; charset=utf-8", headers=headers)
        params = {"导出时间 exported at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "批次 run": run["run_id"] if run else "", "条数 rows": str(len(items)),
                  "查询 query": str(request.url.query),
                  **{f"筛选 {k}": v for k, v in filters.items() if v}, **({"搜索 q": fq.q} if fq.q else {})}
        body = export.to_xlsx(items, base, rule_rows, params)
        return Response(body, headers=headers,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    return [
        Route("/export/findings.{fmt}", history(export_findings)),
        Route("/export/notice/{agency_id}/{year}.xlsx", export_notice),
    ]
