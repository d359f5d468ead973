"""The warehouse file over many small runs, apart from the tests: `make bench-growth [N=8000]`.

Generates N reports of one year (as `make bench-national`: text dumps, clean HTML, GBK portal pages), audits them
cold with `gongkai audit`, then audits --runs times again, each with --step reports of new agencies added, and
prints after each run its wall time, the publication's time, the file's size and DuckDB's blocks (total, used,
free; `pragma_database_size`). A small run rewrites the row groups it appends to, so their old blocks become
free; the question is whether later runs reuse them or the file keeps growing.

    python bench/bench_growth.py [-n 8000] [--runs 12] [--step 80] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import bench_national as national  # bench/ is on sys.path when run as a script
import duckdb
import fsprobe


def blocks(db: Path) -> tuple[int, int, int]:
    """(total, used, free) blocks of the warehouse file, read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        total, used, free = con.execute(
            "SELECT total_blocks, used_blocks, free_blocks FROM pragma_database_size()").fetchone() or (0, 0, 0)
    finally:
        con.close()
    return int(total), int(used), int(free)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=8000, help="reports audited cold (default 8,000)")
    ap.add_argument("--runs", type=int, default=12, help="small runs after the cold one (default 12)")
    ap.add_argument("--step", type=int, default=80, help="new reports per small run (default 80, 1 %% of 8,000)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    n, step = args.n, args.step
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-growth-"))
    shutil.rmtree(work / "harvest", ignore_errors=True)
    (work / "warehouse.duckdb").unlink(missing_ok=True)
    n_parts = max(3, min(60, n // 2500 * 3 or 3))
    parts = [(f"part-{k:03d}", list(range(k, n, n_parts)), [2024]) for k in range(n_parts)]
    runs = [(f"run-{i:02d}", list(range(n + i * step, n + (i + 1) * step)), [2024]) for i in range(args.runs)]
    national.generate(work / "harvest", parts + runs, n + args.runs * step, args.workers)
    print(f"{n:,} reports, then {args.runs} runs of {step} new ones; {fsprobe.describe(work)}", flush=True)
    db = work / "warehouse.duckdb"
    roots = [work / "harvest" / name for name, _, _ in parts]

    def show(label: str, r: dict[str, object]) -> None:
        total, used, free = blocks(db)
        print(f"{label:10s} {float(r['wall']):6.1f} s  publication {r['publish']} s  "  # type: ignore[arg-type]
              f"file {db.stat().st_size / 2**20:6.1f} MB  blocks {total} = {used} used + {free} free", flush=True)

    show("cold", national.audit(roots, db, args.workers))
    for i, (name, _, _) in enumerate(runs, 1):
        roots.append(work / "harvest" / name)
        show(f"+{step} #{i}", national.audit(roots, db, args.workers))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
