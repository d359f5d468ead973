"""Timings that used to sit in the unit tests as thresholds: `make bench-timings`.

Each line prints a measured figure beside the aim it is held to; the script exits 1 if an aim is missed.
Run it on an idle machine (2 cores here): the tests assert behaviour only, never speed.

  checks      run_checks (Pandera + GX) on 2,000 reports / 400,000 cells          aim < 10 s
  statements  numbers stated in the narrative, per report (300 text reports)     aim < 2 ms
  renderings  synthetic reports rendered per second, each rendering (600)         aim > 150 /s
  corpus      write_corpus: reports/s incl. generation, 4 renderings and writes   aim > 20 /s
  bulk load   write_run of 1,000,000 cells into a new warehouse (Arrow)          aim < 20 s
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gongkai.checks import CheckResult, catalogue, run_checks  # noqa: E402
from gongkai.form.template import cells  # noqa: E402
from gongkai.report.batch import Batch, build  # noqa: E402
from gongkai.report.model import ParsedReport  # noqa: E402
from gongkai.report.narrative import statements_frame  # noqa: E402
from gongkai.report.read import parse_bytes  # noqa: E402
from gongkai.synth import make_report, render_html, render_text, write_corpus  # noqa: E402
from gongkai.warehouse.write import RunRecord, write_run  # noqa: E402

RENDERERS: dict[str, Callable[..., bytes]] = {
    "txt": render_text,
    "html": render_html,
    "portal": lambda r: render_html(r, portal=True),
    "portal_gbk": lambda r: render_html(r, portal=True, encoding="gbk"),
}


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def checks() -> tuple[float, str]:
    warm = parse_bytes("warm.txt", render_text(make_report(0, "预热局", 2022)))
    run_checks(build([warm]))  # GX import and context are paid once per process
    src = parse_bytes("x.txt", render_text(make_report(1, "测试局", 2022)))
    reports = [ParsedReport(report_id=f"r{i:05d}", source_path=f"{i}.txt", source_format="txt", year=2022,
                            format_version="2021", layout="2021", sections=src.sections,
                            tables_present=src.tables_present, cells=src.cells) for i in range(2000)]
    batch = build(reports)
    return timed(lambda: run_checks(batch)), f"{len(batch.cells):,} cells"


def statements() -> tuple[float, str]:
    reports = [make_report(s, f"测试局{s % 50}", 2021 + s % 4) for s in range(300)]
    batch = build([parse_bytes(f"r{i}.txt", render_text(r)) for i, r in enumerate(reports)])
    return timed(lambda: statements_frame(batch)) / len(reports) * 1000, "ms per report"


def renderings() -> dict[str, float]:
    reports = [make_report(s, f"测试局{s % 40}", 2021 + s % 4) for s in range(600)]
    out = {}
    for name, render in RENDERERS.items():
        out[name] = len(reports) / timed(lambda render=render: [render(r) for r in reports])
    return out


def corpus() -> float:
    with tempfile.TemporaryDirectory() as d:
        return 200 / timed(lambda: write_corpus(Path(d), n_agencies=100, years=[2022, 2023],
                                                renderings=("txt", "html", "portal", "portal_gbk")))


def bulk_load() -> tuple[float, str]:
    keys = cells("2021")[["table_id", "row_key", "col_key"]]
    proto = build([parse_bytes("p.txt", render_text(make_report(2, "原型局", 2022)))])
    n = -(-1_000_000 // len(keys))
    ids = np.array([f"{i:064x}" for i in range(n)], dtype=object)
    values = np.random.default_rng(1).integers(0, 3000, n * len(keys)).astype("float64")
    frame = pd.DataFrame({
        "report_id": np.repeat(ids, len(keys)), "table_id": np.tile(keys.table_id.to_numpy(), n),
        "row_key": np.tile(keys.row_key.to_numpy(), n), "col_key": np.tile(keys.col_key.to_numpy(), n),
        "value": values, "raw": values.astype(int).astype(str), "semantic": "number"}).astype(proto.cells.dtypes.to_dict())
    reports = pd.concat([proto.reports] * n, ignore_index=True)
    reports["report_id"] = pd.array(ids, dtype="string")
    sections = pd.concat([proto.sections] * n, ignore_index=True)
    sections["report_id"] = pd.array(np.repeat(ids, 6), dtype="string")
    tables = pd.concat([proto.tables] * n, ignore_index=True)
    tables["report_id"] = pd.array(np.repeat(ids, 3), dtype="string")
    batch = Batch(reports, sections, tables, frame).with_derived()

    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "w.duckdb"
        run = RunRecord("bench", None, datetime.now(UTC), "bench", n, n)
        result = CheckResult(pd.DataFrame(), pd.DataFrame(), catalogue())
        return timed(lambda: write_run(db, run, batch, result)), f"{len(frame):,} cells"


def main() -> int:
    missed = 0

    def line(name: str, value: float, unit: str, aim: str, ok: bool) -> None:
        nonlocal missed
        missed += not ok
        print(f"{name:<30} {value:>10.2f} {unit:<16} aim {aim:<10} {'ok' if ok else 'MISSED'}")

    s, what = checks()
    line(f"checks ({what})", s, "s", "< 10 s", s < 10)
    ms, _ = statements()
    line("statements", ms, "ms per report", "< 2 ms", ms < 2)
    for name, rate in renderings().items():
        line(f"render {name}", rate, "reports/s", "> 150/s", rate > 150)
    rate = corpus()
    line("write_corpus", rate, "reports/s", "> 20/s", rate > 20)
    s, what = bulk_load()
    line(f"bulk load ({what})", s, "s", "< 20 s", s < 20)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
