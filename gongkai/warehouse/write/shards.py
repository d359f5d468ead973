"""Shards: one chunk's frames as Parquet files in the run folder — the map step's output, the reduce step's input.

A chunk task (gongkai.app.pipeline.audit_chunk) parses and checks a few hundred files and writes them here;
the run's load (load.write_shards) reads every shard with DuckDB inside the run's one transaction. The driver
never holds the harvest's frames, so its memory does not grow with the harvest.

    <run folder>/chunk-00042/reports.parquet     REPORT_COLUMNS + manifest + ord (load order: later rows are newer) + chunk
                            sections.parquet     SECTION_COLUMNS + chunk
                            tables.parquet       TABLE_COLUMNS + chunk
                            cells.parquet        CELL_COLUMNS + chunk
                            statements.parquet   STATEMENT_COLUMNS + ord + chunk (absent: not computed)
                            fingerprints.parquet gongkai.report.fingerprints columns + chunk
                            findings.parquet     FINDING_COLUMNS + chunk (the per-report checks)
                            rule_results.parquet RULE_RESULT_COLUMNS + chunk
                            DONE                 written last: a shard without it is incomplete and never read

Pure file I/O (pandas + pyarrow): no DuckDB here; the reading side is `register_shards`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gongkai.findings import FINDING_COLUMNS, RULE_RESULT_COLUMNS
from gongkai.report.batch import CELL_COLUMNS, REPORT_COLUMNS, SECTION_COLUMNS, TABLE_COLUMNS, Batch
from gongkai.report.fingerprints import fingerprints_frame
from gongkai.report.narrative import STATEMENT_COLUMNS

FRAMES = ("reports", "sections", "tables", "cells", "statements", "fingerprints", "findings", "rule_results")
DONE = "DONE"
ORD_STRIDE = 10_000_000  # reports.ord = chunk × stride + row: the run's order across chunks


@dataclass(frozen=True)
class Shard:
    """What a chunk task returns: small, picklable, the same on any worker."""

    folder: str
    chunk: int
    reports: int        # rows in reports.parquet (new reports of this chunk, de-duplicated within it)
    skipped: int        # files whose bytes were audited before (or repeated within the chunk)
    statements: bool    # statements.parquet written


def prepare_reports(reports: pd.DataFrame, chunk: int) -> pd.DataFrame:
    """The reports rows as loaded: agency_id given, else the agency's name (NFKC, no whitespace); `ord`;
    `manifest` (the manifest entry applied, as JSON) when the chunk recorded it, else NULL."""
    df = reports[REPORT_COLUMNS].copy()
    df["manifest"] = (reports["manifest"].astype("string") if "manifest" in reports.columns
                      else pd.array([pd.NA] * len(df), dtype="string"))
    name_id = (df["agency"].astype("string").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
               .replace("", pd.NA))
    given = df["agency_id"].astype("string").str.strip().replace("", pd.NA)
    df["agency_id"] = given.fillna(name_id)
    df["ord"] = pd.array(range(chunk * ORD_STRIDE, chunk * ORD_STRIDE + len(df)), dtype="int64")
    return df


def _columns(df: pd.DataFrame, cols: list[str], what: str) -> pd.DataFrame:
    """`df[cols]`; an empty frame may lack them (a run without findings)."""
    missing = [c for c in cols if c not in df.columns]
    if missing and len(df) == 0:
        return pd.DataFrame({c: pd.array([], dtype="string") for c in cols})
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {', '.join(missing)}")
    return df[cols]


def _typed(df: pd.DataFrame, strings: list[str], floats: tuple[str, ...] = (), ints: tuple[str, ...] = ()) -> pd.DataFrame:
    out = df.copy()
    for c in strings:
        out[c] = out[c].astype("string")
    for c in floats:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    for c in ints:
        out[c] = out[c].astype("int64")
    return out


def _write(folder: Path, name: str, df: pd.DataFrame, chunk: int) -> None:
    df = df.reset_index(drop=True)
    df["chunk"] = pd.array([chunk] * len(df), dtype="int32")
    table = pa.Table.from_pandas(df, preserve_index=False, nthreads=1)  # columns converted in this thread: a
    # pool of threads per frame cost more than the conversion (one chunk per process; chunks run in parallel)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd", compression_level=1)


def write_shard(folder: Path, chunk: int, batch: Batch, findings: pd.DataFrame, rule_results: pd.DataFrame,
                skipped: int = 0) -> Shard:
    """Write one chunk (its Batch, de-duplicated here, and its per-report checks' findings and rule_results)
    as Parquet files in `folder` (created; replaced if a previous attempt left one). Returns the Shard."""
    batch, _ = batch.dedupe()
    folder.mkdir(exist_ok=True)  # never its parents: a run folder removed as abandoned stays removed
    (folder / DONE).unlink(missing_ok=True)
    fingerprints = batch.fingerprints if batch.fingerprints is not None else fingerprints_frame(batch)
    _write(folder, "reports", prepare_reports(batch.reports, chunk), chunk)
    _write(folder, "sections", batch.sections[SECTION_COLUMNS], chunk)
    _write(folder, "tables", batch.tables[TABLE_COLUMNS], chunk)
    _write(folder, "cells", batch.cells[CELL_COLUMNS], chunk)
    if batch.statements is not None:
        st = batch.statements[STATEMENT_COLUMNS].reset_index(drop=True)
        st = _typed(st, ["report_id", "fact", "sentence"], floats=("value",))
        st["ord"] = pd.array(range(len(st)), dtype="int64")
        _write(folder, "statements", st, chunk)
    else:
        (folder / "statements.parquet").unlink(missing_ok=True)
    _write(folder, "fingerprints", fingerprints, chunk)
    _write(folder, "findings", _typed(_columns(findings, FINDING_COLUMNS, "findings"), [c for c in FINDING_COLUMNS
                                                                   if c not in ("expected", "observed")],
                                      floats=("expected", "observed")), chunk)
    _write(folder, "rule_results", _typed(_columns(rule_results, RULE_RESULT_COLUMNS, "rule_results"), ["report_id", "rule_id"],
                                          ints=("evaluated", "failed", "not_assessable")), chunk)
    fd = os.open(folder / DONE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.close(fd)
    return Shard(str(folder), chunk, len(batch.reports), skipped, batch.statements is not None)


def shard_files(shards: list[Shard], name: str) -> list[str]:
    """The `name`.parquet files of the complete shards (in chunk order)."""
    out = []
    for s in sorted(shards, key=lambda s: s.chunk):
        folder = Path(s.folder)
        if not (folder / DONE).exists():
            raise FileNotFoundError(f"shard {folder} is incomplete (no {DONE} marker); its chunk task did not finish")
        path = folder / f"{name}.parquet"
        if path.exists():
            out.append(str(path))
    return out
