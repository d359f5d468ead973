"""Per-stage CPU time of the map step (gongkai.app.pipeline) on generated text/HTML/GBK-portal reports, in one
process after a warm-up chunk: parse (parse_chunk), checks (run_checks), shard (write_shard), ms per file.

    python bench/chunk_profile.py CORPUS_DIR [--chunk 250] [--profile STAGE]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from gongkai import checks
from gongkai.app import pipeline
from gongkai.ingest.discover import chunks, discover
from gongkai.warehouse.write.shards import write_shard


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--chunk", type=int, default=250)
    ap.add_argument("--profile", choices=["parse", "checks", "shard"], default=None)
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    files = discover([a.corpus])
    parts = chunks(files, a.chunk)
    # warm-up: GX context, imports
    warm = pipeline.parse_chunk(parts[0][:20], frozenset())
    checks.run_checks(warm.batch)
    t = {"parse": 0.0, "checks": 0.0, "shard": 0.0}
    prof = cProfile.Profile() if a.profile else None
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, part in enumerate(parts):
            n += len(part)
            c0 = time.process_time()
            if prof and a.profile == "parse":
                prof.enable()
            res = pipeline.parse_chunk(part, frozenset())
            if prof:
                prof.disable()
            c1 = time.process_time()
            if prof and a.profile == "checks":
                prof.enable()
            checked = checks.run_checks(res.batch)
            if prof:
                prof.disable()
            c2 = time.process_time()
            batch = replace(res.batch, reports=res.batch.reports.assign(
                manifest=pd.array(res.manifests, dtype="string")))
            target = Path(tmp) / f"chunk-{i:05d}"
            target.mkdir()
            if prof and a.profile == "shard":
                prof.enable()
            write_shard(target, i, batch, checked.findings, checked.rule_results, res.skipped)
            if prof:
                prof.disable()
            c3 = time.process_time()
            t["parse"] += c1 - c0
            t["checks"] += c2 - c1
            t["shard"] += c3 - c2
    tot = sum(t.values())
    print(f"{n} files in {len(parts)} chunks: " + ", ".join(f"{k} {v / n * 1000:.2f}" for k, v in t.items())
          + f", total {tot / n * 1000:.2f} ms/file (CPU)")
    if prof:
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(a.top)


if __name__ == "__main__":
    main()
