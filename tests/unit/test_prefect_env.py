"""Prefect settings gongkai runs with (gongkai.app.prefect_env)."""

from __future__ import annotations

import os

import pytest

from gongkai.app import prefect_env

TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


@pytest.fixture
def no_timeout_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT, "unset")  # records the original value, restored after the test
    monkeypatch.delenv(TIMEOUT)


def test_audit_waits_for_a_slow_ephemeral_server(no_timeout_set: None) -> None:
    """Prefect's 20 s for its ephemeral API server to start were exceeded on a loaded machine, failing the
    audit ("Timed out while attempting to connect to ephemeral Prefect API server"): gongkai waits 120 s."""
    prefect_env.configure()  # (configure_one_shot, which `gongkai audit` calls, runs this too)
    assert os.environ[TIMEOUT] == "120"


def test_an_operators_timeout_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIMEOUT, "7")
    prefect_env.configure()
    assert os.environ[TIMEOUT] == "7"
