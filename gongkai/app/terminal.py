"""What the CLI prints: frames as Rich tables (harvested strings never read as markup), CSV or JSON, the
findings view and the audit summary. Plain functions over one stdout and one stderr console; and what Ctrl-C
does to `gongkai audit` (interrupt_ends_run)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # pandas is imported by the commands that need it (fast start-up of the others)
    import pandas as pd

out = Console()
err = Console(stderr=True)


class AuditSummary(TypedDict):
    """What the audit flow returns (gongkai.flows.audit): the run's RunSummary fields and the discovery
    warnings; print_summary reads these."""

    run_id: str
    files_seen: int
    files_new: int
    reports_parsed: int
    reports_partial: NotRequired[int]
    reports_failed: int
    findings_new: int
    findings_by_severity: NotRequired[dict[str, int]]
    warnings: NotRequired[list[str]]
    registry: NotRequired[str | None]  # the agency registry the run used (absolute path), None for none
    crashed_runs: NotRequired[list[str]]  # earlier runs this run found abandoned and recorded as crashed
    files_unchanged: NotRequired[int]  # files seen unchanged since a run read them: not read (ingest.filestate)
    seconds: NotRequired[dict[str, float]]  # wall time: map (parse + per-report checks), load (incl. publication)
    publish_seconds: NotRequired[float]  # publication: file copy, commit, checkpoint, swap
    findings_resolved: NotRequired[int]  # findings a re-evaluation (cross-year, re-parse) no longer produced
    archive: NotRequired[str]  # the evidence archive the run kept files in (gongkai.ingest.archive)
    reparsed: NotRequired[int]  # reports re-parsed from the archive (gongkai.warehouse.write.reparse)
    reparsed_from: NotRequired[tuple[str, ...]]  # their parser versions before
    reparse_targets: NotRequired[int]  # reports found to re-parse
    reparse_missing: NotRequired[list[str]]  # their source paths whose bytes are not in the archive
    reparse_damaged: NotRequired[int]  # archived files whose bytes no longer hash to their name


def missing(v: object) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):  # arrays, lists: not missing
        return False


def emit(df: pd.DataFrame, fmt: str, title: str | None = None, flex: str | None = None) -> None:
    """Print a frame as a Rich table, CSV or JSON (strings from harvested files are not markup). `flex`: the
    one column that wraps and takes the width left over (the others keep their content's width)."""
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", force_ascii=False, date_format="iso", indent=1) + "\n")
    else:
        from rich.text import Text

        table = Table(title=title, show_lines=False, highlight=False)
        for col in df.columns:
            if flex is None:
                table.add_column(Text(str(col)), overflow="fold")
            else:
                table.add_column(Text(str(col)), overflow="fold", ratio=1 if col == flex else None,
                                 min_width=None)
        for row in df.itertuples(index=False):  # Text(): harvested strings are never Rich markup
            table.add_row(*(Text("" if missing(v) else str(v)) for v in row))
        out.print(table)
        out.print(f"{len(df)} row(s)", style="dim")


def findings_view(df: pd.DataFrame) -> pd.DataFrame:
    """The terminal's findings table: what an inspector reads first, in fewer columns (csv, json and xlsx
    keep every column, incl. title_zh, row/col keys and source_path)."""
    import pandas as pd

    def where(*key: object) -> str:  # (table_id, row_key, col_key)
        return "/".join(str(v) for v in key if not missing(v))

    def num(v: float | None) -> str:
        return "" if v is None or missing(v) else (f"{v:.0f}" if float(v).is_integer() else f"{v:g}")

    return pd.DataFrame({
        "finding_id": df.finding_id, "机关 agency": df.agency, "年度": df.year, "规则 rule": df.rule_id,
        "级别": [sev if st == "fail" else "n/a" for sev, st in zip(df.severity, df.status)],
        "位置 cell": [where(t, r, c) for t, r, c in zip(df.table_id, df.row_key, df.col_key)],
        "应为→实为": [f"{num(e)}→{num(o)}" if not (missing(e) and missing(o)) else ""
                    for e, o in zip(df.expected, df.observed)],
        "说明 message": df.message,
    })


def print_reparse(s: AuditSummary) -> None:
    """The re-parse lines of a run's summary (gongkai.warehouse.write.reparse) and the archive it used."""
    from gongkai import PARSER_VERSION

    if s.get("archive"):
        out.print(f"archive: {s['archive']}", style="dim", highlight=False)
    if s.get("reparsed"):
        before = ", ".join(s.get("reparsed_from") or ()) or "?"
        resolved = f"; {s['findings_resolved']} findings resolved" if s.get("findings_resolved") else ""
        out.print(f"re-parsed {s['reparsed']} reports (parser {before} → {PARSER_VERSION}){resolved}",
                  highlight=False)
    missing = s.get("reparse_missing") or []
    if missing:
        from rich.text import Text

        err.print(Text.assemble(("note: ", "yellow"),
                                f"{len(missing)} report(s) to re-parse left as they are: their bytes are not in the "
                                f"archive (first: {missing[0]})"),
                  highlight=False, soft_wrap=True)
    if s.get("reparse_damaged"):
        err.print(f"note: {s['reparse_damaged']} archived files no longer match their sha256 and were not re-parsed",
                  highlight=False, markup=False)


def print_summary(s: AuditSummary, db: Path) -> None:
    t = Table(title=f"gongkai audit · run {s['run_id']}", show_header=False, highlight=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    sev = s.get("findings_by_severity") or {}
    rows = [
        ("files seen 文件", s["files_seen"]),
        ("  unchanged, not read 未变未读", s.get("files_unchanged", 0)),
        ("new files 新文件", s["files_new"]),
        ("parsed 已解析", s["reports_parsed"]),
        ("partial 部分解析", s.get("reports_partial", 0)),
        ("failed 解析失败", s["reports_failed"]),
        ("findings new 新发现", s["findings_new"]),
        ("  error 错误", sev.get("error", 0)),
        ("  warning 警告", sev.get("warning", 0)),
        ("  not assessable 无法核对", sev.get("not_assessable", 0)),
    ]
    for k, v in rows:
        t.add_row(k, str(v))
    out.print(t)
    from rich.text import Text

    for w in s.get("warnings") or []:  # manifest paths come from the harvest: never markup
        err.print(Text.assemble(("warning: ", "yellow"), w), highlight=False, soft_wrap=True)
    out.print(f"warehouse: {db}", style="dim", highlight=False)
    if "registry" in s:
        reg = s["registry"]
        out.print(f"agency registry: {reg}" if reg else
                  "agency registry: none (no --registry, no $GONGKAI_AGENCIES, no agencies.csv beside the warehouse)",
                  style="dim", highlight=False)
    for run_id in s.get("crashed_runs") or []:
        err.print(Text.assemble(("note: ", "yellow"), f"run {run_id} ended without an outcome (killed or crashed); "
                                f"recorded as crashed in the runs table, its run folder removed"), highlight=False)
    print_reparse(s)
    secs = s.get("seconds") or {}
    if secs:
        out.print(f"time: parse and check {secs.get('map', 0):.1f} s, load {secs.get('load', 0):.1f} s "
                  f"(publication {s.get('publish_seconds', 0):.1f} s)", style="dim", highlight=False)
    if s["reports_failed"]:
        out.print("failed files: gongkai findings --rule PARSE_FAILED", style="dim", highlight=False)


INTERRUPTED = ("interrupted (Ctrl-C): gongkai audit stopped; a run it had not published is recorded as crashed by the "
               "next audit, which removes what it left")


class interrupt_ends_run:
    """Ctrl-C ends `gongkai audit` at once, as a kill would, with one line and exit code 130: the lifeline watchdog
    ends the API server and the parser processes, the published warehouse is untouched unless the run's own
    publication had already swapped it in (publish.py), and the next run records the run as crashed and removes
    its run folder and temp files. Unwinding instead let Prefect's task threads run on against a removed run
    folder, log their failures and a crash, and DuckDB end a query with its own error, tracebacks each."""

    def __enter__(self) -> None:
        self.previous = signal.getsignal(signal.SIGINT)
        if self.previous is not signal.SIG_IGN:  # a background job of a script (SIGINT ignored) stays deaf to it
            signal.signal(signal.SIGINT, self._stop)

    def __exit__(self, *exc: object) -> Literal[False]:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False

    @staticmethod
    def _stop(signum: int, frame: object) -> None:
        # straight to the file descriptor: Rich's progress thread may hold the console's lock
        show_cursor = "\x1b[?25h\r\x1b[2K" if err.is_terminal else ""
        os.write(2, f"{show_cursor}error: {INTERRUPTED}\n".encode())
        os._exit(130)
