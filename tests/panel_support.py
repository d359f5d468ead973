"""What the panel tests (tests/e2e/test_panel_*.py) share: synthetic reports of an agency × year chain
parsed and written to a warehouse with no in-report findings (the panel rules are what those tests look at),
and the panel's findings read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from gongkai.app.pipeline import apply_manifest
from gongkai.checks import CheckResult
from gongkai.checks import catalogue as checks_catalogue
from gongkai.report import batch as frames
from gongkai.report.read import parse_bytes
from gongkai.synth import make_report, render_html, render_text
from gongkai.synth.report import SynthReport
from gongkai.warehouse import query as _query
from gongkai.warehouse.write import RunRecord, write_run


def query(db, sql):
    return _query(db, sql).df()


def _no_checks() -> CheckResult:
    """A checks result with no findings (the panel rules are what these tests look at)."""
    return CheckResult(pd.DataFrame(), pd.DataFrame(), checks_catalogue())


T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


def _run(run_id: str, minutes: int = 0) -> RunRecord:
    return RunRecord(run_id, None, T0 + timedelta(minutes=minutes), "harvest", 0, 0)


def _write(db: Path, run_id: str, batch: frames.Batch, minutes: int = 0, with_statements: bool = True):
    return write_run(db, _run(run_id, minutes), batch.with_derived() if with_statements else batch, _no_checks())


def _parsed(r: SynthReport, agency_id: str, rendering: str = "txt", tag: str = "") -> ParsedReport:  # noqa: F821
    data = render_text(r) if rendering == "txt" else render_html(r, portal=rendering == "portal")
    if tag:   # different bytes, same content (a re-published file)
        data = data + f"\n<!-- {tag} -->\n".encode() if rendering != "txt" else data + f"\n{tag}\n".encode()
    p = parse_bytes(f"harvest/{agency_id}_{r.year}{tag}.{'txt' if rendering == 'txt' else 'html'}", data)
    apply_manifest(p, {"agency": r.agency, "agency_id": agency_id, "year": r.year})
    return p


def _chain(seed: int, agency: str, years: list[int], defects: dict[int, tuple] | None = None) -> list[SynthReport]:
    out, prev = [], None
    for y in years:
        prev = make_report(seed, agency, y, (defects or {}).get(y, ()), prev=prev)
        out.append(prev)
    return out


def _findings(db: Path, rule: str, table: str = "findings_current") -> pd.DataFrame:
    return query(db, f"SELECT f.*, r.year AS report_year FROM {table} AS f JOIN reports AS r USING (report_id) "
                     f"WHERE f.rule_id = '{rule}' ORDER BY report_year, col_key")
