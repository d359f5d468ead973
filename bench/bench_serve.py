"""Served (warm) audits, apart from the tests: `make bench-serve`.

The nightly audit as operators run it: a Prefect server (`prefect server start`, its own PREFECT_HOME), `gongkai
serve` (its deployment; the parser processes it starts once and keeps warm), and runs of the deployment
triggered through the API, as the schedule would. Generates --agencies × --years reports (text dumps, clean
HTML, GBK portal pages; default 500 × 2022–2023 = 3,000, the corpus of `make bench`), puts the first year in the
harvest, then:

1. served run 1: the first year's reports (the first run of this serve: the workers are already warm);
2. served run 2: the second year's reports added (new files on warm workers: "warm");
3. served run 3: nothing new.

Before each run the copied files are flushed to disk (`os.sync`), as a nightly harvest is written hours before
its audit: otherwise the run also waits for the disk to write back the files just copied (a chunk's archive
flush, `syncfs`, waits for every pending write on the file system; measured: 362–471/s instead of 511–534/s
for runs of 6,000 files). Prints per run: new files, the flow run's own time (Prefect's start → end), the
time from the API call to the run's `completed` row, and reports/s on each. Options: --agencies N --years A-B --workers W --keep DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai.synth import write_corpus  # noqa: E402

RENDERINGS = ["txt", "html", "portal_gbk"]


def api(url: str, path: str, body: dict | None = None) -> dict:
    """GET (or POST `body`) on Prefect's API; a 503 (a busy server: SQLite locked under load) is tried again."""
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="GET" if body is None else "POST")
    for attempt in range(10):
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == 9:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def wait(what: str, ok: Callable[[], Any], timeout: float, procs: list[subprocess.Popen], logs: tuple[Path, ...] = (),
         every: float = 0.1) -> Any:
    """ok()'s first truthy value (exceptions: not yet); RuntimeError with the logs' tails if a process of
    `procs` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = ok()
            if got:
                return got
        except Exception:  # noqa: BLE001 - not up yet
            pass
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            tails = "\n".join(f.read_text(errors="replace")[-3000:] for f in logs if f.exists())
            raise RuntimeError(f"no {what} (a process exited or {timeout:g} s passed)\n{tails}")
        time.sleep(every)


@contextlib.contextmanager
def served(work: Path, harvest: Path, db: Path,
           workers: int) -> Iterator[tuple[str, dict, subprocess.Popen, float]]:
    """A Prefect server (its own PREFECT_HOME under `work`, services off) and `gongkai serve` of `harvest`
    into `db` with `workers` warm parser processes and a schedule that never fires; yields (API url, the
    nightly deployment, the serve process, seconds from starting serve to its deployment registered) once
    the deployment is registered. On exit: serve gets SIGINT
    (as Ctrl-C), the server SIGTERM. Logs: work/server.log, work/serve.log."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_API_URL": url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    env.pop("PREFECT_LOGGING_CONFIG_PATH", None)  # gongkai sets its own
    server_log, serve_log = work / "server.log", work / "serve.log"
    with server_log.open("wb") as slog, serve_log.open("wb") as vlog:
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-services"], env=env, stdout=slog, stderr=slog)
        serve = None
        try:
            wait("Prefect server", lambda: api(url, "/health"), 180, [server], (server_log,))
            t = time.perf_counter()
            serve = subprocess.Popen([str(Path(sys.executable).with_name("gongkai")), "serve", "--harvest",
                                      str(harvest), "--db", str(db), "--workers", str(workers), "--cron", "0 0 1 1 *"],
                                     env=env, stdout=vlog, stderr=vlog)
            dep = wait("nightly deployment", lambda: api(url, "/deployments/name/gongkai-audit/nightly"), 180,
                       [server, serve], (serve_log,))
            yield url, dep, serve, time.perf_counter() - t
        finally:
            if serve is not None:
                serve.send_signal(signal.SIGINT)
                try:
                    serve.wait(60)
                except subprocess.TimeoutExpired:
                    serve.kill()
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


def run_row(db: Path, flow_run_id: str) -> tuple[int, datetime] | None:
    """(files_new, finished_at as UTC) of the completed `runs` row of the flow run, None if there is none."""
    import duckdb

    if not db.exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT files_new, finished_at FROM runs WHERE status = 'completed' AND flow_run_id = ?",
                          [flow_run_id]).fetchone()
    finally:
        con.close()
    return None if row is None else (int(row[0]), row[1].replace(tzinfo=UTC))


def main() -> None:
    import fsprobe  # bench/ is on sys.path when run as a script (tests import this module for its harness)

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=500)
    ap.add_argument("--years", default="2022-2023")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.years.split("-"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-serve-"))
    corpus, harvest, db = work / "corpus", work / "harvest", work / "warehouse.duckdb"
    for p in (corpus, harvest):
        shutil.rmtree(p, ignore_errors=True)
    for p in work.glob("*warehouse.duckdb*"):
        p.unlink()
    write_corpus(corpus, args.agencies, list(range(lo, hi + 1)), RENDERINGS, seed=3)
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix != ".jsonl")
    first = [p for p in files if str(lo) in p.name]
    rest = [p for p in files if p not in first]
    harvest.mkdir()

    def add(batch: list[Path]) -> None:
        for p in batch:
            shutil.copy(p, harvest / p.name)

    add(first)
    try:
        with served(work, harvest, db, args.workers) as (url, dep, serve, ready):
            print(f"served audits: {len(files):,} reports ({', '.join(RENDERINGS)}), {args.workers} warm parser "
                  f"processes; gongkai serve ready in {ready:.1f} s (deployment registered, workers started "
                  f"and warmed up)")
            print(fsprobe.describe(work))
            for n, (label, batch) in enumerate((("run 1, first year", []), ("run 2, second year added (warm)", rest),
                                                ("run 3, nothing new", [])), 1):
                add(batch)
                os.sync()  # the harvest on disk before the run, as a nightly's is (module docstring)
                called = datetime.now(UTC)
                fr = api(url, f"/deployments/{dep['id']}/create_flow_run", {})
                # the flow run's state through the API once a second (the figures come from the run's own
                # timestamps, not from when this loop sees them): opening the warehouse every 0.1 s, as before,
                # took ~12 % of a core from the run being measured
                info = wait(f"served run {n}", lambda fid=fr["id"]: (i := api(url, f"/flow_runs/{fid}"))["end_time"]
                            and i, 1800, [serve], (work / "serve.log",), every=1.0)
                if info["state_type"] != "COMPLETED" or (row := run_row(db, fr["id"])) is None:
                    raise RuntimeError(f"served run {n} ended {info['state_type']}:\n"
                                       f"{(work / 'serve.log').read_text(errors='replace')[-3000:]}")
                new, wall = row[0], (row[1] - called).total_seconds()
                own = (datetime.fromisoformat(info["end_time"])
                       - datetime.fromisoformat(info["start_time"])).total_seconds()
                rate = f"{new / own:6.0f} reports/s (flow run) {new / wall:6.0f}/s (call to row)" if new else ""
                print(f"{label:<34} new files {new:5,}  flow run {own:6.1f} s  call → completed row {wall:6.1f} s  "
                      f"{rate}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
