"""What the synthetic report generator tests (tests/unit/test_synth_*.py) share: the agency their
reports are made for."""

from __future__ import annotations

AGENCY = "五星街道办事处"
