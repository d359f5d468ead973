"""Smoke tests: the CLI, the flows and the nightly deployment load and run on a real Prefect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, SEED, shown, shown_proc

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def test_nightly_schedule_is_cron_2am_shanghai():
    from gongkai.flows.nightly import deployment

    dep = deployment(["data/harvest"], "data/warehouse.duckdb")
    (sched,) = dep.schedules
    assert (sched.schedule.cron, sched.schedule.timezone, sched.active) == ("0 2 * * *", "Asia/Shanghai", True)
    assert dep.name == "nightly" and dep.parameters["db"] == "data/warehouse.duckdb"


def test_deployment_applies_to_a_prefect_server_and_reads_back(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.testing.utilities import prefect_test_harness

    from gongkai.flows.nightly import deployment

    with prefect_test_harness():
        dep = deployment([str(tmp_path / "harvest")], str(tmp_path / "w.duckdb"), cron="30 1 * * *")
        dep_id = dep.apply()

        async def read():
            async with get_client() as client:
                return await client.read_deployment(dep_id)

        import asyncio

        stored = asyncio.run(read())
    assert stored.name == "nightly"
    assert stored.parameters == {"harvest": [str(tmp_path / "harvest")], "db": str(tmp_path / "w.duckdb"), "workers": 2}
    (sched,) = stored.schedules
    assert (sched.schedule.cron, sched.schedule.timezone) == ("30 1 * * *", "Asia/Shanghai")


def _run(args, cwd, env_extra=None, timeout=240):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env_extra or {})}
    env.pop("PREFECT_LOGGING_CONFIG_PATH", None)  # the CLI must set it itself
    return subprocess.run([GONGKAI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_cli_audit_subprocess_is_quiet_and_exits_zero(tmp_path):
    harvest = tmp_path / "harvest"
    harvest.mkdir()
    (harvest / SEED.name).write_bytes(SEED.read_bytes())
    (harvest / "garbage.html").write_bytes(bytes(range(256)) * 4)
    proc = _run(["audit", str(harvest), "--db", str(tmp_path / "w.duckdb")], cwd=tmp_path)
    assert proc.returncode == 0, shown_proc(proc)
    assert "Traceback" not in proc.stderr + proc.stdout, shown_proc(proc)
    assert proc.stderr.strip() == "", shown_proc(proc)  # no Prefect shutdown noise on success
    assert "parsed 已解析" in proc.stdout and "failed 解析失败" in proc.stdout, shown_proc(proc)
    assert (tmp_path / "w.duckdb").is_file()


@pytest.mark.parametrize("cmd", [["--help"], ["audit", "--help"], ["sql", "--help"], ["findings", "--help"], ["rules", "--help"], ["serve", "--help"],
                                 ["synth", "--help"], ["review", "--help"], ["agencies", "--help"]])
def test_cli_help_has_examples(cmd):
    proc = _run(cmd, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, shown_proc(proc)
    if cmd != ["--help"]:
        assert "Example:" in proc.stdout, shown_proc(proc)


def test_cli_missing_harvest_is_one_line(tmp_path):
    proc = _run(["audit", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb")], cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, shown_proc(proc)
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr, shown_proc(proc)
    assert "Traceback" not in proc.stderr, shown_proc(proc)


def test_rules_lists_every_rule_in_chinese_and_english():
    proc = _run(["rules", "--format", "csv"], cwd=ROOT, timeout=60)
    assert proc.returncode == 0, shown_proc(proc)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "rule_id,family,severity,responsibility,engine,title_zh,title_en", shown_proc(proc)
    ids = {line.split(",")[0] for line in lines[1:]}
    assert {line.split(",")[3] for line in lines[1:] if line.split(",")[1] == "parse"} == {"parser"}
    assert {line.split(",")[3] for line in lines[1:] if line.split(",")[1] != "parse"} == {"source"}
    assert {"PARSE_FAILED", "CELL_UNREAD", "FORMAT_OUTDATED", "SECTION_MISSING", "TABLE_MISSING", "CELL_BLANK", "CELL_NOT_NUMBER",
            "CELL_INVALID", "T3_BALANCE", "T3_TOTAL_COLUMN", "T3_OUTCOME_SUM", "T4_TOTAL"} <= ids


def test_synth_command_writes_corpus_and_truth_outside_it(tmp_path):
    from typer.testing import CliRunner

    from gongkai.app.cli import app

    res = CliRunner().invoke(app, ["synth", str(tmp_path / "c"), "--agencies", "2", "--years", "2020-2021", "--formats", "txt,html"])
    assert res.exit_code == 0, shown(res)
    files = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert len(files) == 2 * 2 * 2 + 1 and "manifest.jsonl" in files
    assert len((tmp_path / "c.truth.jsonl").read_text(encoding="utf-8").splitlines()) == 8
    # every 2021+ report in the mixed format, a panel defect on request; a share outside 0..1 is a usage error
    res = CliRunner().invoke(app, ["synth", str(tmp_path / "m"), "--agencies", "2", "--years", "2021-2022",
                                   "--formats", "txt", "--mixed-rate", "1", "--panel-defect-rate", "1"])
    assert res.exit_code == 0, shown(res)
    truth = [json.loads(line) for line in (tmp_path / "m.truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truth) == 4 and all(t.get("mixed") for t in truth)
    panel = [f["rule_id"] for t in truth for f in t["expected_findings"] + t["expected_cross_year"]
             if f["rule_id"] == "TEXT_TABLE" or f["rule_id"].startswith("XY_")]
    assert panel, "a panel defect on every report must show in the truth"
    bad = CliRunner().invoke(app, ["synth", str(tmp_path / "x"), "--mixed-rate", "1.5"])
    assert bad.exit_code == 2 and "--mixed-rate" in bad.output, shown(bad)


def test_cli_audit_whose_prefect_api_cannot_start_fails_in_one_line(tmp_path):
    """`gongkai audit` starts Prefect's API server itself (gongkai/app/api_server.py); when the server cannot
    start (here: its database in a folder that does not exist; tried twice) the command ends with one line,
    exit 1, before writing anything."""
    harvest = tmp_path / "harvest"
    harvest.mkdir()
    (harvest / SEED.name).write_bytes(SEED.read_bytes())
    env = {"PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/prefect.db"}
    proc = _run(["audit", str(harvest), "--db", str(tmp_path / "w.duckdb")], cwd=tmp_path, env_extra=env)
    assert proc.returncode == 1, shown_proc(proc)
    assert proc.stderr.strip().count("\n") == 0, shown_proc(proc)
    assert "Prefect's API server exited with code" in proc.stderr and "Traceback" not in proc.stderr, shown_proc(proc)
    assert not (tmp_path / "w.duckdb").exists(), shown_proc(proc)
