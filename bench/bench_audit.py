"""Throughput benchmark (apart from the tests): `make bench`.

Generates a few thousand synthetic reports (Word text dumps, clean HTML, GBK portal pages), then
times a bare pass (read + lxml parse / decode: the floor), the stages (the map step — read, parse, Pandera
and GX per chunk, Parquet shards — on all cores, then the load of the shards with the panel rules and the
publication), the flow cold, warm and with nothing new in one process, and a cold `gongkai audit` in a fresh
process with its ratio to the bare pass; prints reports/s. Options: --agencies N --years A-B
--renderings txt,html,portal_gbk --workers W --keep DIR. "flow (cold)" includes Prefect's
ephemeral API start-up (once per process); "flow (warm)" is a second run in the same process (its API
running, its parser processes started again); "flow (warm workers, as served)" a third corpus on parser
processes started and warmed up before, as `gongkai serve` keeps them (`make bench-serve` measures served runs).

Then the same for the slower renderings, one corpus each (--doc-agencies N × the years, default
250 × 2 = 500 files, so that the flow's chunks (2 × 250 on 2 workers) keep both processes busy): DOCX and PDF,
parse only (the pipeline's parse pool, one chunk per worker), the flow warm in this process, and a
cold `gongkai audit` in a fresh process into a temporary warehouse. --doc-renderings docx,pdf picks
them (empty: skipped).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fsprobe  # noqa: E402  (bench/ is on sys.path when run as a script)
from bench_national import bare_pass  # noqa: E402

from gongkai import checks, ingest
from gongkai.app import pipeline
from gongkai.synth import write_corpus
from gongkai.warehouse import write as warehouse_write


def main() -> None:
    # Imported here, not at module level: spawned parser processes re-import this module, and must
    # not pay Prefect's import (the CLI's entry module does not import it either).
    from gongkai.flows import audit as audit_flow

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=500)
    ap.add_argument("--years", default="2022-2023")
    ap.add_argument("--renderings", default="txt,html,portal_gbk")
    ap.add_argument("--workers", type=int, default=pipeline.default_workers())
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated corpus and warehouse here")
    ap.add_argument("--doc-renderings", default="docx,pdf", help="slower renderings timed one corpus each")
    ap.add_argument("--doc-agencies", type=int, default=250)
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.years.split("-"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    harvest = work / "harvest"
    if harvest.exists():
        shutil.rmtree(harvest)
    t0 = time.perf_counter()
    write_corpus(harvest, args.agencies, range(lo, hi + 1), args.renderings.split(","), seed=7, truth=work / "truth.jsonl")
    files = ingest.discover([harvest])
    n = len(files)
    print(f"corpus: {n} files ({args.renderings}) generated in {time.perf_counter() - t0:.1f} s; workers={args.workers}; cores={os.cpu_count()}")
    print(fsprobe.describe(work))

    # The floor: read every file and parse it with lxml (HTML) or decode it (text), on the same processes.
    bare, _ = bare_pass([harvest], args.workers)
    print(f"bare  : {bare:6.2f} s  {n / bare:8.0f} reports/s  (read + lxml parse / decode only: the floor)")

    # Stage timings (plain functions, the same ones the flow's tasks call): the map step (read, parse,
    # per-report checks, Parquet shard per chunk) on the worker processes, then the load of the shards.
    folder = work / "run"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    parts = ingest.chunks(files, 250, args.workers)
    t = time.perf_counter()
    with pipeline.local_workers(args.workers) as pool:
        assert pool is not None
        list(pool.map(pipeline.audit_chunk, parts, [str(folder)] * len(parts), range(len(parts)),
                      [None] * len(parts)))  # warm the workers (imports, GX) on a first pass
        shutil.rmtree(folder)
        folder.mkdir()
        t = time.perf_counter()
        shards = list(pool.map(pipeline.audit_chunk, parts, [str(folder)] * len(parts), range(len(parts)),
                               [None] * len(parts)))
    t_map = time.perf_counter() - t
    db = work / "stages.duckdb"
    db.unlink(missing_ok=True)
    run = warehouse_write.RunRecord("bench", None, datetime.now(UTC), str(harvest), n, n)
    t = time.perf_counter()
    s = warehouse_write.write_shards(db, run, shards, checks.catalogue())
    t_load = time.perf_counter() - t
    print(f"map   : {t_map:6.2f} s  {n / t_map:8.0f} reports/s  read, parse, Pandera + GX per chunk, Parquet shards "
          f"(warm workers)")
    print(f"load  : {t_load:6.2f} s  {n / t_load:8.0f} reports/s  DuckDB reads the shards, panel rules, publish "
          f"({s.findings_new} findings; publication {s.publish_seconds:.2f} s)")
    total = t_map + t_load
    print(f"stages: {total:6.2f} s  {n / total:8.0f} reports/s  map + load, steady state")

    # End to end: the Prefect flow exactly as `gongkai audit` runs it. The first flow run of a process
    # pays Prefect's ephemeral API start-up; the second (another corpus of the same size) is what a
    # served nightly deployment pays, its API already running.
    harvest2 = work / "harvest2"
    if harvest2.exists():
        shutil.rmtree(harvest2)
    write_corpus(harvest2, args.agencies, range(lo, hi + 1), args.renderings.split(","), seed=8, truth=work / "truth2.jsonl")
    db2 = work / "flow.duckdb"
    db2.unlink(missing_ok=True)
    harvest3 = work / "harvest3"
    if harvest3.exists():
        shutil.rmtree(harvest3)
    write_corpus(harvest3, args.agencies, range(lo, hi + 1), args.renderings.split(","), seed=9, truth=work / "truth3.jsonl")
    with pipeline.warm_workers(args.workers) as address:  # as `gongkai serve` keeps them
        for label, folder, warm in (("flow (cold)", harvest, None), ("flow (warm)", harvest2, None),
                                    ("flow (warm workers, as served)", harvest3, address), ("rerun", harvest3, None)):
            t = time.perf_counter()
            s = audit_flow.audit(harvest=[str(folder)], db=str(db2), workers=args.workers, workers_address=warm)
            el = time.perf_counter() - t
            print(f"{label:12s}: {el:6.2f} s  {n / el:8.0f} reports/s  files_new={s['files_new']} "
                  f"parsed={s['reports_parsed']} failed={s['reports_failed']} findings={s['findings_new']} "
                  f"(map {s['seconds']['map']:.2f} s, load {s['seconds']['load']:.2f} s)")
    cold_db = work / "cold.duckdb"
    cold_db.unlink(missing_ok=True)
    # an archive of its own: the flows above kept the same files' bytes in work/archive, and a first audit
    # writes every file's copy (before 2026-12-05 this run found them there and skipped the writes)
    cold_archive = Path(tempfile.mkdtemp(prefix="cold-archive-", dir=work))
    exe = Path(sys.executable).with_name("gongkai")
    t = time.perf_counter()
    proc = subprocess.run([str(exe), "audit", str(harvest), "--db", str(cold_db), "--workers", str(args.workers),
                           "--archive", str(cold_archive)],
                          capture_output=True, text=True, check=False)
    el = time.perf_counter() - t
    ok = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    print(f"gongkai audit (cold, fresh process): {el:6.2f} s  {n / el:8.0f} reports/s  ({ok}); "
          f"{el / bare:.1f}× the bare read + lxml pass (aim ≤ 10×)")
    for name in [x for x in args.doc_renderings.split(",") if x]:
        document_formats(name, work, args.doc_agencies, range(lo, hi + 1), args.workers, audit_flow)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def document_formats(name: str, work: Path, agencies: int, years: range, workers: int, audit_flow) -> None:
    """Parse-only and end-to-end throughput for one rendering (docx, pdf) on its own corpus."""
    harvest = work / f"harvest_{name}"
    if harvest.exists():
        shutil.rmtree(harvest)
    t0 = time.perf_counter()
    write_corpus(harvest, agencies, years, [name], seed=9, truth=work / f"truth_{name}.jsonl")
    files = ingest.discover([harvest])
    n = len(files)
    print(f"\n{name}: {n} files generated in {time.perf_counter() - t0:.1f} s "
          f"({sum(f.size for f in files) / n / 1024:.0f} KB each)")
    t = time.perf_counter()
    with pipeline.process_pool(workers) as pool:
        results = list(pool.map(pipeline.parse_chunk, ingest.chunks(files, math.ceil(n / workers)),
                                [frozenset()] * workers))
    el = time.perf_counter() - t
    failed = sum(int((r.batch.reports.status == "failed").sum()) for r in results)
    print(f"{name} parse only : {el:6.2f} s  {n / el:8.1f} reports/s  ({workers} processes, {failed} failed)")
    db = work / f"flow_{name}.duckdb"
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    s = audit_flow.audit(harvest=[str(harvest)], db=str(db), workers=workers)
    el = time.perf_counter() - t
    print(f"{name} flow (warm): {el:6.2f} s  {n / el:8.1f} reports/s  parsed={s['reports_parsed']} "
          f"failed={s['reports_failed']} findings={s['findings_new']}")
    db.unlink(missing_ok=True)
    exe = Path(sys.executable).with_name("gongkai")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from gongkai.app.cli import app; app()"]
    t = time.perf_counter()
    fresh = Path(tempfile.mkdtemp(prefix=f"cold-archive-{name}-", dir=work))  # a first audit writes every copy
    proc = subprocess.run(cmd + ["audit", str(harvest), "--db", str(db), "--workers", str(workers),
                                 "--archive", str(fresh)],
                          capture_output=True, text=True, check=False)
    el = time.perf_counter() - t
    ok = "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
    print(f"{name} gongkai audit (cold, fresh process): {el:6.2f} s  {n / el:8.1f} reports/s  ({ok})")


if __name__ == "__main__":
    main()
