"""Ingest: the harvest folders → files to audit (discover, with the optional manifest) and the agency
registry (agencies)."""

from gongkai.ingest.discover import HarvestFile, HarvestNotFound, chunks, discover

__all__ = ["HarvestFile", "HarvestNotFound", "chunks", "discover"]
