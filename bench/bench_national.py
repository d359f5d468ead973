"""A national year on one machine (apart from the tests): `make bench-national [N=150000]`.

1. generates N reports of one year (2024), one rendering each (Word text dump, clean HTML, GBK portal page in
   turn), in parallel parts (one harvest root per part, each with its manifest);
2. times a bare pass over the same files on the same number of processes: read every file and parse it with
   lxml (HTML) or decode it (text) — the floor any audit pays;
3. audits it cold (`gongkai audit` in a fresh process, into a new warehouse), sampling the RSS of the whole
   process tree (driver, Prefect's API server, the workers) every 0.2 s;
4. re-runs with nothing new;
5. adds 1 % new and late reports (N/200 new agencies' 2024 reports, N/200 late 2023 reports of agencies already
   audited, whose cross-year pairs must be re-checked) and audits again;
6. times the dashboard's main pages over the warehouse (bench_dashboard.py).

Prints wall time, reports/s, peak RSS, warehouse size, publication time and the dashboard latency. Goals at
N = 150,000 (issue 11): audit < 10 min, peak RSS < 1.5 GB, no-op re-run ≤ 10 s, 1 % run ≤ 30 s.
Options: -n N, --workers W, --keep DIR (keep the harvest and warehouse), --skip-dashboard.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fsprobe  # noqa: E402  (bench/ is on sys.path when run as a script)

RENDERINGS = ("txt", "html", "portal_gbk")
SEED = 11


def _generate(args: tuple[str, int, list[int], str, list[int]]) -> int:
    from gongkai.synth import write_corpus

    out, n_agencies, years, rendering, indices = args
    write_corpus(Path(out), n_agencies, years, [rendering], seed=SEED, truth=Path(out) / ".truth.jsonl",
                 indices=indices)
    return len(indices) * len(years)


def generate(root: Path, parts: list[tuple[str, list[int], list[int]]], n_agencies: int, workers: int) -> float:
    """Write the parts (name, agency indices, years) under `root` in parallel; returns seconds."""
    t = time.perf_counter()
    jobs = [(str(root / name), n_agencies, years, RENDERINGS[k % len(RENDERINGS)], idx)
            for k, (name, idx, years) in enumerate(parts)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_generate, jobs))
    return time.perf_counter() - t


def _bare(paths: list[str]) -> int:
    from lxml import html

    n = 0
    for p in paths:
        data = Path(p).read_bytes()
        if p.endswith((".html", ".htm", ".shtml")):
            html.fromstring(data)
        else:
            data.decode("utf-8", errors="replace")
        n += 1
    return n


def bare_pass(roots: list[Path], workers: int) -> tuple[float, int]:
    """Read every report file and parse it with lxml (HTML) or decode it (text), on `workers` processes."""
    files = sorted(str(p) for r in roots for p in r.rglob("*") if p.is_file() and not p.name.startswith(".")
                   and p.name != "manifest.jsonl")
    t = time.perf_counter()
    size = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(workers) as pool:
        n = sum(pool.map(_bare, [files[i:i + size] for i in range(0, len(files), size)]))
    return time.perf_counter() - t, n


def _tree_rss(root_pid: int) -> tuple[int, int]:
    """(total RSS, largest process RSS) in bytes of `root_pid` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{d}/statm") as fh:
                resident = int(fh.read().split()[1]) * page
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = resident
    total, largest, todo = 0, 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        largest = max(largest, rss.get(pid, 0))
        todo += children.get(pid, [])
    return total, largest


def audit(roots: list[Path], db: Path, workers: int) -> dict[str, object]:
    """`gongkai audit` in a fresh process; wall time, peak RSS of its process tree, its summary's lines."""
    exe = Path(sys.executable).with_name("gongkai")
    cmd = [str(exe), "audit", *map(str, roots), "--db", str(db), "--workers", str(workers)]
    peak = [0, 0]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            total, largest = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, errs = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"gongkai audit failed (exit {proc.returncode}):\n{out}\n{errs}")
    numbers = {k: int(v) for k, v in re.findall(r"(files seen|new files|findings new)\D+?(\d+)", out)}
    timing = re.search(r"time: parse and check ([\d.]+) s, load ([\d.]+) s \(publication ([\d.]+) s\)", out)
    return {"wall": wall, "peak_tree": peak[0], "peak_process": peak[1], **numbers,
            "map": float(timing.group(1)) if timing else None, "load": float(timing.group(2)) if timing else None,
            "publish": float(timing.group(3)) if timing else None}


def show(label: str, r: dict[str, object], n: int) -> None:
    wall = float(r["wall"])  # type: ignore[arg-type]
    print(f"{label:22s} {wall:8.1f} s  {n / wall:7.0f} reports/s  peak RSS {int(r['peak_tree']) / 2**20:6.0f} MB "  # type: ignore[call-overload]
          f"(largest process {int(r['peak_process']) / 2**20:4.0f} MB)  new files {r.get('new files', '?')}, "  # type: ignore[call-overload]
          f"findings new {r.get('findings new', '?')}; parse+check {r['map']} s, load {r['load']} s, "
          f"publication {r['publish']} s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=150_000, help="reports in the national year (default 150,000)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--skip-dashboard", action="store_true")
    args = ap.parse_args()
    n, w = args.n, args.workers
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-national-"))
    shutil.rmtree(work / "harvest", ignore_errors=True)
    (work / "warehouse.duckdb").unlink(missing_ok=True)
    n_parts = max(len(RENDERINGS), min(60, n // 2500 * len(RENDERINGS) or len(RENDERINGS)))
    parts = [(f"part-{k:03d}", list(range(k, n, n_parts)), [2024]) for k in range(n_parts)]
    extra = max(1, n // 200)
    late = [("late-2023", list(range(0, n, max(1, n // extra)))[:extra], [2023]),
            ("new-2024", list(range(n, n + extra)), [2024])]
    secs = generate(work / "harvest", parts, n + extra, w)
    print(f"national year: {n:,} reports (txt, html, GBK portal pages in turn) in {n_parts} harvest roots, "
          f"generated in {secs:.1f} s on {w} processes; cores={os.cpu_count()}", flush=True)
    print(fsprobe.describe(work), flush=True)
    roots = [work / "harvest" / name for name, _, _ in parts]
    bare, counted = bare_pass(roots, w)
    print(f"{'bare read + lxml':22s} {bare:8.1f} s  {counted / bare:7.0f} reports/s  (the floor: read, parse HTML / "
          f"decode text; {w} processes)", flush=True)
    db = work / "warehouse.duckdb"
    cold = audit(roots, db, w)
    show("audit (cold)", cold, n)
    print(f"{'':22s} ratio to the bare pass: {float(cold['wall']) / bare:.1f}×  "  # type: ignore[arg-type]
          f"warehouse {db.stat().st_size / 2**20:.0f} MB", flush=True)
    noop = audit(roots, db, w)
    show("re-run, nothing new", noop, n)
    secs = generate(work / "harvest", late, n + extra, w)
    roots += [work / "harvest" / name for name, _, _ in late]
    more = audit(roots, db, w)
    show(f"+1 % new and late ({2 * extra:,})", more, 2 * extra)
    print(f"{'':22s} warehouse {db.stat().st_size / 2**20:.0f} MB", flush=True)
    if not args.skip_dashboard:
        bench = Path(__file__).with_name("bench_dashboard.py")
        subprocess.run([sys.executable, str(bench), str(db), "-n", "10"], check=False)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
