"""The one base of gongkai's expected errors; each stage defines its own under it.

An expected failure (a bad file, a missing warehouse, a busy writer, a contract broken by a parser bug)
is raised as a subclass of GongkaiError with a one-line message saying what, where and how to fix it;
the CLI prints that line (never a traceback) and the pipeline records per-file ones and goes on.

  gongkai.parse.errors      ReportParseError and its kinds (a file that is not a readable report)
  gongkai.ingest.discover   HarvestNotFound
  gongkai.ingest.agencies   RegistryNotFound
  gongkai.checks.errors     FrameContractError, GXCheckError (our bugs, caught before anything is stored)
  gongkai.warehouse.errors  WarehouseMissing, ReadOnlyViolation (SqlRefused), WarehouseBusy
"""


class GongkaiError(Exception):
    """Base of every expected gongkai error: the message is one line naming what, where and how to fix."""
