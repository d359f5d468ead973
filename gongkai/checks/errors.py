"""Errors of the check stage: a batch that breaks its contract or an engine that misbehaves is our bug,
raised before anything is stored (the run is recorded as failed with this one line)."""

from __future__ import annotations

from gongkai.errors import GongkaiError


class ChecksError(GongkaiError):
    """The checks could not be run on this batch."""


class FrameContractError(ChecksError, ValueError):
    """The batch frames break the contract of gongkai.report.batch (e.g. a cell key that is not in its
    report's template): a programming error of the parser, not a finding about the report."""


class GXCheckError(ChecksError, RuntimeError):
    """GX failed to evaluate an expectation, or its counts disagree with the frame."""
