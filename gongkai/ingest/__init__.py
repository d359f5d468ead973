"""Ingest: the harvest folders → files to audit (discover, with the optional manifest) and the agency
registry (agencies: found beside the warehouse, or $GONGKAI_AGENCIES, or given; never in the cwd)."""

from gongkai.ingest.agencies import RegistryNotFound, find_registry
from gongkai.ingest.discover import HarvestFile, HarvestNotFound, chunks, discover

__all__ = ["HarvestFile", "HarvestNotFound", "RegistryNotFound", "chunks", "discover", "find_registry"]
