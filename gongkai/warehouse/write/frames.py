"""Frames into SQL: the column check, the Arrow registration the loaders scan, naive UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd
import pyarrow as pa


def utc(dt: datetime) -> datetime:
    """Naive UTC for TIMESTAMP columns (a naive input is taken to be UTC already)."""
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def require(df: pd.DataFrame, cols: list[str], what: str) -> pd.DataFrame:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s) {', '.join(missing)}")
    return df[cols]


def register(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """Expose a frame to SQL through Arrow (DuckDB scans Arrow in parallel, zero-copy for Arrow-backed
    strings); frames Arrow cannot type (mixed Python objects) go through DuckDB's pandas scan. Chunks are
    combined first: a Batch.concat of many small batches yields thousands of tiny Arrow chunks, which
    DuckDB scans ~10x slower than one."""
    try:
        con.register(name, pa.Table.from_pandas(df, preserve_index=False).combine_chunks())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        con.register(name, df)
