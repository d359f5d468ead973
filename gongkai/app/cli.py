"""`gongkai` command line (thin: Typer + Rich over the flows and the warehouse).

Prefect is imported only by the commands that run flows, so `sql`, `findings` and `rules` start fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from gongkai import __version__
from gongkai.app.cli_common import DB_HELP
from gongkai.app.cli_common import db_path as _db
from gongkai.app.cli_common import fail as _fail
from gongkai.app.cli_web import dashboard, review, users_app
from gongkai.app.terminal import AuditSummary, emit, err, findings_view, interrupt_ends_run, out, print_summary

if TYPE_CHECKING:  # Prefect and Rich's progress are imported only by the commands that use them
    from prefect import Flow
    from rich.progress import TaskID

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="gongkai — deterministic audits of 政府信息公开工作年度报告 into a DuckDB warehouse.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
REGISTRY_HELP = ("Agency registry CSV (default: $GONGKAI_AGENCIES, else agencies.csv beside the warehouse; "
                 "never the current directory).")
FORMATS = ("table", "csv", "json")


@app.command()
def audit(
    harvest: list[Path] = typer.Argument(None, help="Harvest folders or files (default: data/harvest)."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    workers: int = typer.Option(0, "--workers", "-w", help="Parser processes (default: number of cores, at most 8)."),
    task_runner: str = typer.Option("local", "--task-runner", help="local (threads + processes on this machine) or dask (a Dask cluster: --dask-address, else a local one of --workers processes started and closed here)."),
    dask_address: str | None = typer.Option(None, "--dask-address", help="Scheduler address for --task-runner dask, e.g. tcp://10.0.0.5:8786 (the harvest and the warehouse's folder must be on a path every worker shares)."),
    chunk_size: int = typer.Option(500, "--chunk-size", help="Files per chunk task (read, parse, checks, shard)."),
    registry_file: Path | None = typer.Option(None, "--registry", help=REGISTRY_HELP),
    archive: Path | None = typer.Option(None, "--archive", help="Where every audited file's bytes are kept (<archive>/<sha256[:2]>/<sha256>.<format>); default $GONGKAI_ARCHIVE, else archive/ beside the warehouse."),
    rehash: bool = typer.Option(False, "--rehash", help="Read and hash every file, also those unchanged (size, mtime, ctime, inode) since a run read them; by default those are not read again (the cache .<warehouse>.files.parquet)."),
    reparse: bool | None = typer.Option(None, "--reparse/--no-reparse", help="--reparse: re-parse from the archive every report whose parser_version differs from this parser's; --no-reparse: none. Default: the reports of an older parser are re-parsed."),
) -> None:
    """Audit harvested reports into the warehouse and print a summary.

    Example: gongkai audit data/harvest --db data/warehouse.duckdb

    Agency registry: --registry, else $GONGKAI_AGENCIES, else agencies.csv beside the warehouse (data/agencies.csv for data/warehouse.duckdb); never a file in the current directory.

    Exits 0 when the run completed (findings are results, not failures), 1 when the run itself failed.
    """
    from gongkai.app import api_server, lifeline, pipeline, prefect_env, progress
    from gongkai.ingest.agencies import RegistryNotFound, find_registry
    from gongkai.ingest.discover import HarvestNotFound

    prefect_env.configure_one_shot()
    roots = [str(p) for p in (harvest or [Path("data/harvest")])]
    missing = [r for r in roots if not Path(r).exists()]
    if missing:
        _fail(f"harvest path {missing[0]} does not exist", 2)
    dbp = _db(db)
    try:
        reg = find_registry(dbp, registry_file)
    except RegistryNotFound as exc:
        _fail(str(exc), 2)
    dbp.parent.mkdir(parents=True, exist_ok=True)
    n_workers = workers or pipeline.default_workers()
    # nothing this run starts outlives it, even on kill -9; Prefect's API (and, into a new warehouse, the parser
    # processes) start while the flows are imported
    with (lifeline.guard(), interrupt_ends_run(),
          pipeline.started_workers(n_workers if task_runner == "local" and not dbp.exists() else 0),
          api_server.one_shot() as server, _progress() as hook):
        flow = _audit_flow(task_runner, dask_address, n_workers)
        progress.install(hook)
        try:
            if server is not None:
                server.ready()
            summary = flow(harvest=roots, db=str(dbp), workers=n_workers, chunk_size=chunk_size,
                           use_processes=task_runner == "local", registry=str(reg) if reg else None,
                           archive=str(archive) if archive else None, reparse=reparse, rehash=rehash)
        except HarvestNotFound as exc:
            _fail(str(exc), 2)
        except api_server.ApiServerFailed as exc:
            _fail(str(exc))
        except Exception as exc:  # the run itself failed: one line, non-zero exit
            _fail(f"audit run failed: {' '.join(str(exc).split())[:400]} (recorded in the runs table)")
        finally:
            progress.install(None)
    print_summary(summary, dbp)


def _audit_flow(task_runner: str, dask_address: str | None, workers: int) -> Flow[..., AuditSummary]:
    from gongkai.flows.audit import audit as audit_flow

    if task_runner == "local":
        return audit_flow
    if task_runner != "dask":
        _fail(f"unknown --task-runner {task_runner!r}; use local or dask", 2)
    from gongkai.app.dask_runner import task_runner as dask_task_runner

    return audit_flow.with_options(task_runner=dask_task_runner(dask_address, workers))


class _progress:
    """A Rich progress bar on an interactive terminal; silent otherwise."""

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if not err.is_terminal:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err, transient=True)
        self.bar.start()
        self.tasks: dict[str, TaskID] = {}

        def hook(stage: str, done: int, total: int) -> None:
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task({"parse": "parsing", "check": "checking", "load": "loading"}.get(stage, stage), total=total or 1)
            self.bar.update(self.tasks[stage], completed=done, total=total or 1)

        return hook

    def __exit__(self, *exc: object) -> Literal[False]:
        if hasattr(self, "bar"):
            self.bar.stop()
        return False


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL to run (read-only)."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Run read-only SQL against the published warehouse.

    Example: gongkai sql "SELECT agency, year, errors FROM report_scorecard ORDER BY errors DESC LIMIT 10"
    """
    from gongkai.warehouse import ReadOnlyViolation, WarehouseMissing
    from gongkai.warehouse import query as run_query

    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; use {', '.join(FORMATS)}", 2)
    try:
        df = run_query(_db(db), query).df()
    except (ReadOnlyViolation, WarehouseMissing) as exc:
        _fail(str(exc))
    except Exception as exc:  # SQL errors from DuckDB: one line, no traceback
        _fail(" ".join(str(exc).split()))
    emit(df, fmt)


@app.command()
def findings(
    agency: str | None = typer.Option(None, "--agency", help="Agency name or agency_id (substring match)."),
    year: int | None = typer.Option(None, "--year", help="Report year."),
    rule: str | None = typer.Option(None, "--rule", help="Rule id, e.g. T3_BALANCE."),
    status: str | None = typer.Option(None, "--status", help="fail or not_assessable."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or xlsx."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write (required for xlsx)."),
) -> None:
    """List findings on the current report versions, with filters.

    Example: gongkai findings --year 2023 --rule T3_BALANCE --format csv > t3.csv
    """
    from gongkai.warehouse import WarehouseMissing, connect_readonly

    if fmt not in FORMATS + ("xlsx",):
        _fail(f"unknown --format {fmt!r}; use table, csv, json or xlsx", 2)
    if fmt == "xlsx" and output is None:
        _fail("--format xlsx needs --output FILE.xlsx", 2)
    where = ["1=1"]
    params: list[str | int] = []  # bound in order to the ? of `where`; --year is an int
    if agency:
        where.append("(f.agency LIKE ? OR f.agency_id LIKE ?)")
        params += [f"%{agency}%", f"%{agency}%"]
    if year is not None:
        where.append("f.year = ?")
        params.append(year)
    if rule:
        where.append("f.rule_id = ?")
        params.append(rule.upper())
    if status:
        where.append("f.status = ?")
        params.append(status)
    sql_text = f"""
        SELECT f.agency, f.year, f.rule_id, r.title_zh, f.severity, f.status, f.table_id, f.row_key, f.col_key,
               f.expected, f.observed, f.message, rep.source_path, f.finding_id
        FROM findings_current f JOIN rules r USING (rule_id) JOIN reports rep USING (report_id)
        WHERE {' AND '.join(where)}
        ORDER BY f.agency, f.year, CASE f.severity WHEN 'error' THEN 0 ELSE 1 END, f.rule_id, f.table_id, f.row_key, f.col_key"""
    try:
        con = connect_readonly(_db(db))
    except WarehouseMissing as exc:
        _fail(str(exc))
    try:
        df = con.execute(sql_text, params).df()
    finally:
        con.close()
    if fmt == "xlsx":
        df.to_excel(output, index=False, sheet_name="findings")
        out.print(f"{len(df)} finding(s) written to {output}", highlight=False)
    elif output is not None:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(df.to_csv(index=False) if fmt == "csv" else df.to_json(orient="records", force_ascii=False, indent=1))
        out.print(f"{len(df)} finding(s) written to {output}", highlight=False)
    elif fmt == "table":
        emit(findings_view(df), fmt, title="findings 审核发现", flex="说明 message")
    else:
        emit(df, fmt, title="findings 审核发现")


@app.command()
def rules(fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json.")) -> None:
    """List the audit rules with Chinese and English titles, family, severity, engine and responsibility
    ('source': counted against the agency; 'parser': our misread).

    Example: gongkai rules --format csv
    """
    from gongkai.app.catalogue import catalogue

    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; use {', '.join(FORMATS)}", 2)
    df = catalogue()[["rule_id", "family", "severity", "responsibility", "engine", "title_zh", "title_en"]]
    emit(df, fmt, title="rules 审核规则")


@app.command()
def agencies(
    show_all: bool = typer.Option(False, "--all", help="Also list agencies resolved by the registry or the manifest."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    registry_file: Path | None = typer.Option(None, "--registry", help=REGISTRY_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """List agency names in the warehouse that neither the registry nor the national division list resolves
    (unresolved or ambiguous: 朝阳区 fits two places), so an operator can add an alias to the registry
    (agencies.csv beside the warehouse: data/agencies.csv). With --all also those resolved, each with how
    (registry, manifest, division: the division code + organ derived from the name) and its division_code.

    Example: gongkai agencies --format csv > to_register.csv
    """
    import pandas as pd

    from gongkai.ingest.agencies import RegistryNotFound, find_registry, norm_name, registry
    from gongkai.ingest.divisions import derive
    from gongkai.warehouse import WarehouseMissing, connect_readonly

    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; use {', '.join(FORMATS)}", 2)
    try:
        reg_path = find_registry(_db(db), registry_file)
    except RegistryNotFound as exc:
        _fail(str(exc), 2)
    try:
        con = connect_readonly(_db(db))
    except WarehouseMissing as exc:
        _fail(str(exc))
    try:
        df = con.execute("""
            SELECT agency, region, agency_id, count(*) AS reports, min(year) AS first_year, max(year) AS last_year,
                   division_code
            FROM reports WHERE agency IS NOT NULL AND is_current GROUP BY ALL ORDER BY agency""").df()
    finally:
        con.close()
    reg = registry(reg_path)
    status, candidates = [], []
    for name, region, aid in zip(df.agency, df.region, df.agency_id):
        res = reg.resolve(name, None if pd.isna(region) else region) if reg else None
        place = derive(name, None if pd.isna(region) else region)
        if res is not None and res.agency_id == aid:
            status.append("registry")
        elif not pd.isna(aid) and aid == place.agency_id:
            status.append("division")
        elif not pd.isna(aid) and aid != norm_name(name):
            status.append("manifest")
        elif res is not None and res.status == "ambiguous":
            status.append("ambiguous")
        elif place.status in ("ambiguous", "conflicting"):
            status.append(place.status)
        else:
            status.append(res.status if res is not None else "no registry")
        if res is not None and res.status == "ambiguous":
            candidates.append(", ".join(res.candidates))
        else:
            candidates.append(", ".join(d.code for d in place.candidates) if place.status == "ambiguous" else "")
    df["resolution"], df["candidates"] = status, candidates
    df = df[[c for c in df.columns if c != "division_code"] + ["division_code"]]
    if not show_all:
        df = df[~df.resolution.isin(["registry", "manifest", "division"])]
    emit(df.reset_index(drop=True), fmt, title="agencies 机构")


@app.command()
def serve(
    cron: str = typer.Option("0 2 * * *", "--cron", help="Cron schedule (Asia/Shanghai)."),
    harvest: list[Path] = typer.Option([Path("data/harvest")], "--harvest", help="Harvest folder(s) to audit."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    workers: int = typer.Option(0, "--workers", "-w", help="Parser processes per run."),
) -> None:
    """Serve the nightly audit deployment on the Prefect API in PREFECT_API_URL (until Ctrl-C).

    Starts --workers parser processes once (GX and the parsers warmed up) and keeps them for every run.

    Example: prefect server start &  PREFECT_API_URL=http://127.0.0.1:4200/api gongkai serve --cron "0 2 * * *"
    """
    from gongkai.app import lifeline, pipeline
    from gongkai.flows.nightly import serve as serve_nightly

    dbp = _db(db).resolve()
    n = workers or pipeline.default_workers()
    # flow-run subprocesses, the warm parser processes: none outlives `serve`
    with lifeline.guard(), contextlib.ExitStack() as stack:
        try:
            address = stack.enter_context(pipeline.warm_workers(n))
        except Exception as exc:  # noqa: BLE001 - a parser process's start-up error: one line, not a traceback
            _fail(f"could not start {n} parser processes for serve: {' '.join(str(exc).split())[:300]}")
        serve_nightly([str(p.resolve()) for p in harvest], str(dbp), cron=cron, workers=n, workers_address=address)


@app.command()
def synth(
    out_dir: Path = typer.Argument(..., help="Folder to write the corpus into (created)."),
    n_agencies: int = typer.Option(20, "--agencies", help="Agencies in the panel."),
    years: str = typer.Option("2021-2024", "--years", help="Year range A-B (2019–2020 use the 2019 format)."),
    formats: str = typer.Option("txt,html,portal_gbk", "--formats", help="Renderings, comma-separated."),
    defect_rate: float = typer.Option(0.3, "--defect-rate", help="Share of reports with injected defects."),
    mixed_rate: float | None = typer.Option(None, "--mixed-rate", help="Share of 2021+ reports printed in the mixed format (one （六）其他处理 row); default half the defect rate."),
    panel_defect_rate: float = typer.Option(0.0, "--panel-defect-rate", help="Share of reports with a panel defect (carry-over break, text contradiction, copied tables or text)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (the corpus is deterministic for a seed)."),
    truth: Path | None = typer.Option(None, "--truth", help="Truth file (default: OUT.truth.jsonl beside the folder)."),
) -> None:
    """Generate a synthetic harvest: balanced reports with continuous carry-over, defects on request,
    a manifest, and a truth file with every cell and every finding a correct auditor must report.

    Example: gongkai synth /tmp/corpus --agencies 50 --years 2019-2025 --formats txt,html,portal_gbk
    """
    from gongkai.synth import RENDERINGS, write_corpus

    try:
        lo, hi = (int(x) for x in years.split("-"))
    except ValueError:
        _fail(f"--years {years!r}: expected a range like 2019-2025", 2)
    names = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in names if f not in RENDERINGS]
    if unknown:
        _fail(f"unknown --formats {', '.join(unknown)}; choose from {', '.join(RENDERINGS)}", 2)
    truth_path = truth or out_dir.with_name(out_dir.name + ".truth.jsonl")  # outside the harvest folder
    for name, rate in (("--defect-rate", defect_rate), ("--mixed-rate", mixed_rate), ("--panel-defect-rate", panel_defect_rate)):
        if rate is not None and not 0 <= rate <= 1:
            _fail(f"{name} {rate}: expected a share between 0 and 1", 2)
    write_corpus(out_dir, n_agencies, range(lo, hi + 1), names, defect_rate, seed=seed, truth=truth_path,
                 panel_defect_rate=panel_defect_rate, mixed_rate=mixed_rate)
    n = n_agencies * (hi - lo + 1) * len(names)
    out.print(f"{n} reports written to {out_dir} (manifest.jsonl inside); truth: {truth_path}", highlight=False)


app.command()(review)
app.command()(dashboard)
app.add_typer(users_app, name="users")


@app.command()
def version() -> None:
    """Print the gongkai version."""
    out.print(f"gongkai {__version__}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
