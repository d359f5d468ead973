"""Throughput benchmark (apart from the tests): `make bench`.

Generates a few thousand synthetic reports (Word text dumps, clean HTML, GBK portal pages), then
times the stages (parse on all cores, Pandera+GX checks over the whole batch, DuckDB load+publish)
and one end-to-end `gongkai audit` flow run, and prints reports/s. Options: --agencies N --years A-B
--renderings txt,html,portal_gbk --workers W --keep DIR.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows import audit as audit_flow  # noqa: E402  (sets Prefect's environment first)
from gongkai import checks, frames, ingest, pipeline, warehouse  # noqa: E402
from gongkai.synth import write_corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=500)
    ap.add_argument("--years", default="2022-2023")
    ap.add_argument("--renderings", default="txt,html,portal_gbk")
    ap.add_argument("--workers", type=int, default=pipeline.default_workers())
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated corpus and warehouse here")
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

    # Stage timings (plain functions, the same ones the flow's tasks call)
    t = time.perf_counter()
    with pipeline.process_pool(args.workers, frozenset()) as pool:
        results = list(pool.map(pipeline.parse_chunk_in_worker, ingest.chunks(files, 250)))
    t_parse = time.perf_counter() - t
    batch, _ = pipeline.dedupe(frames.Batch.concat(r.batch for r in results))
    t = time.perf_counter()
    result = checks.run_checks(batch)
    t_check = time.perf_counter() - t
    db = work / "stages.duckdb"
    db.unlink(missing_ok=True)
    run = warehouse.RunRecord("bench", None, __import__("datetime").datetime.now(), str(harvest), n, n)
    t = time.perf_counter()
    warehouse.write_run(db, run, batch, result.findings, result.rule_results, checks.rules_catalogue())
    t_load = time.perf_counter() - t
    cells = len(batch.cells)
    print(f"parse : {t_parse:6.2f} s  {n / t_parse:8.0f} reports/s  ({cells} cells)")
    print(f"check : {t_check:6.2f} s  {n / t_check:8.0f} reports/s  ({len(result.findings)} findings)")
    print(f"load  : {t_load:6.2f} s  {n / t_load:8.0f} reports/s  (DuckDB bulk load + publish)")

    # End to end: the Prefect flow exactly as `gongkai audit` runs it (ephemeral API start-up included)
    db2 = work / "flow.duckdb"
    db2.unlink(missing_ok=True)
    t = time.perf_counter()
    summary = audit_flow.audit(harvest=[str(harvest)], db=str(db2), workers=args.workers)
    t_flow = time.perf_counter() - t
    print(f"flow  : {t_flow:6.2f} s  {n / t_flow:8.0f} reports/s  end to end, incl. Prefect start-up "
          f"({summary['reports_parsed']} parsed, {summary['reports_failed']} failed, {summary['findings_new']} findings)")
    t = time.perf_counter()
    again = audit_flow.audit(harvest=[str(harvest)], db=str(db2), workers=args.workers)
    print(f"rerun : {time.perf_counter() - t:6.2f} s  (nothing new: files_new={again['files_new']})")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
