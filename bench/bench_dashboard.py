"""Dashboard latency benchmark (apart from the tests): `make bench-dashboard DB=…`.

Serves the dashboard with uvicorn on a free loopback port over an existing warehouse (build one with
`gongkai synth` + `gongkai audit`, e.g. 1000 agencies × 2020–2023 × txt,html = 8,000 reports) and requests
every page from one client (httpx, keep-alive), N times each after one warm-up request, printing p50 / p95 /
max in milliseconds. Issue 9's target: p95 < 300 ms per page on an 8,000-report warehouse.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import duckdb
    import httpx
    import uvicorn

    from gongkai.app.web.server import create_app

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("-n", type=int, default=30, help="requests per page (after one warm-up)")
    ap.add_argument("--reviews", type=Path, default=None, help="review store (default: a new empty one)")
    args = ap.parse_args()

    con = duckdb.connect(str(args.db), read_only=True)
    try:
        n_reports = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        n_findings = con.execute("SELECT count(*) FROM findings_current").fetchone()[0]
        rid, fid = con.execute("SELECT report_id, finding_id FROM findings_current WHERE status = 'fail' "
                               "AND rule_id = 'T3_BALANCE' LIMIT 1").fetchone() or con.execute(
            "SELECT report_id, finding_id FROM findings_current LIMIT 1").fetchone()
        agency_id, year, region = con.execute(
            "SELECT agency_id, year, region FROM reports WHERE report_id = ?", [rid]).fetchone()
        run_id = con.execute("SELECT max(run_id) FROM runs").fetchone()[0]
    finally:
        con.close()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(args.db, reviews=args.reviews or Path("/tmp") / f"bench-reviews-{port}.sqlite"),
                                           host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    pages = {
        "/": "/",
        "/findings": "/findings",
        "/findings (filtered)": f"/findings?region={quote(region or '')}&year={year}&status=fail&sort=year&page=2",
        "/findings?q=": f"/findings?q={quote('表三')}",
        "/reports/{id}?focus=": f"/reports/{rid}?focus={fid}",
        "/reports/{id}/cross-year": f"/reports/{rid}/cross-year",
        "/scorecard": "/scorecard",
        "/agencies/{id}": f"/agencies/{quote(agency_id)}",
        "/rules": "/rules",
        "/rules/{id}": "/rules/T3_BALANCE",
        "/runs": "/runs",
        "/runs/{id}": f"/runs/{run_id}",
        "/reviews": "/reviews",
        "/healthz": "/healthz",
        "/export/findings.csv (filtered)": f"/export/findings.csv?year={year}&rule=T3_BALANCE",
        "/regions/{region}": f"/regions/{quote(region or '')}",
        "/?run=": f"/?run={run_id}",
        "/findings?run=": f"/findings?run={run_id}",
        "/scorecard?run=": f"/scorecard?run={run_id}",
        "/reports/{id}?focus=&run=": f"/reports/{rid}?focus={fid}&run={run_id}",
    }
    print(f"warehouse {args.db}: {n_reports} reports, {n_findings} current findings; {args.n} requests per page")
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, url in pages.items():
            assert client.get(url).status_code == 200, url
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                res = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
                assert res.status_code == 200, url
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            worst = max(worst, p95)
            print(f"{name:<34} {statistics.median(times):8.1f} {p95:8.1f} {times[-1]:8.1f}")
    print(f"worst p95: {worst:.1f} ms ({'meets' if worst < 300 else 'misses'} the 300 ms target)")
    server.should_exit = True


if __name__ == "__main__":
    main()
