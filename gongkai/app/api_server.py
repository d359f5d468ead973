"""Prefect's API server for a one-shot `gongkai audit`, started first so its start-up overlaps the command's.

Without PREFECT_API_URL, Prefect starts a temporary ("ephemeral") API server the first time a flow needs its
client: the command imports the server's code (2.4 s here), then starts the server in a subprocess (uvicorn,
which imports the same code again and checks its SQLite database) and polls until it answers (2.8 s) — about
5 s, one after the other, before a run does anything. `start()` launches the same server the way Prefect
does (prefect.server.api.server.SubprocessASGIServer, Prefect 3.9: uvicorn with the server's app factory; here
on a loopback socket bound first and handed over, so no other server can answer on its port; the UI off, Prefect's ephemeral-server flags, this process's environment) as the command's
first step and points PREFECT_API_URL at it before Prefect is imported; the command then imports the flows
while the server starts, and `ready()` waits for its health check. Measured: a run with nothing new 3.5 s
shorter. The command owns the server: `stop()` ends it (SIGTERM, then SIGKILL), and the lifeline watchdog
ends it however the command dies. Its output is discarded (Prefect's shutdown noise never reaches the
terminal) except when it fails to start: then the error names its last lines.

Not used when PREFECT_API_URL is set (the operator's server) or ephemeral mode is off
(PREFECT_SERVER_ALLOW_EPHEMERAL_MODE=false): Prefect then behaves as it always does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from gongkai.errors import GongkaiError

START_TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"  # prefect_env sets 120 s by default


class ApiServerFailed(GongkaiError):
    """Prefect's API server for this run did not start."""


def wanted() -> bool:
    """Whether a one-shot run should start its own server: no PREFECT_API_URL and ephemeral mode allowed."""
    allow = os.environ.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true").strip().lower()
    return not os.environ.get("PREFECT_API_URL") and allow not in ("0", "false", "no", "off")


class ApiServer:
    """One Prefect API server subprocess on a loopback port."""

    def __init__(self) -> None:
        spec = importlib.util.find_spec("prefect")  # Prefect's --app-dir, without importing Prefect
        if spec is None or spec.origin is None:
            raise ApiServerFailed("Prefect is not installed; run `make setup`")
        self.app_dir = str(Path(spec.origin).parent.parent)
        self.log: IO[bytes] = tempfile.TemporaryFile()
        self.process = self._launch()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        """Start the server on a loopback socket bound here and handed over (uvicorn --fd): the port is the
        server's from the start, so no other program can take it between choosing and binding, and whatever
        answers on it is this server (choosing a free port and letting uvicorn bind it raced: a test saw
        another Prefect server answer on the port this one was given)."""
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
            sock.set_inheritable(True)
            return subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", self.app_dir, "--factory",
                 "prefect.server.api.server:create_app", "--fd", str(sock.fileno()),
                 "--log-level", "error", "--lifespan", "on"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log, env=env,
                pass_fds=(sock.fileno(),),
                # a process group of its own: Ctrl-C (SIGINT to the terminal's foreground group) does not reach
                # it, so the interrupted run can still record its state; the command stops it (stop(), and the
                # lifeline watchdog however the command ends). In the command's group it died with the SIGINT
                # and Prefect's crash handling retried the dead API for minutes.
                process_group=0)

    def _tail(self) -> str:
        self.log.seek(0)
        lines = [ln for ln in self.log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return " | ".join(lines[-3:])[-400:] or "no output"

    def ready(self, timeout: float | None = None) -> None:
        """Wait until the server answers its health check; ApiServerFailed if it exits or does not answer."""
        timeout = timeout if timeout is not None else float(os.environ.get(START_TIMEOUT_ENV, "120"))
        deadline = time.monotonic() + timeout
        retried = False
        while True:
            code = self.process.poll()
            if code == 3 and not retried:  # uvicorn's start-up failure (the database busy, say): once more
                retried = True
                self.process = self._launch()
                continue
            if code is not None:
                raise ApiServerFailed(f"Prefect's API server exited with code {code} while starting on port "
                                      f"{self.port}: {self._tail()}; `prefect server start` shows why (its "
                                      f"database: PREFECT_HOME, PREFECT_API_DATABASE_CONNECTION_URL), or set "
                                      f"PREFECT_API_URL to a running server")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() >= deadline:
                self.stop()
                raise ApiServerFailed(f"Prefect's API server did not answer within {timeout:g} s (port {self.port};"
                                      f" set {START_TIMEOUT_ENV} to wait longer): {self._tail()}")
            time.sleep(0.05)

    def stop(self, grace: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextlib.contextmanager
def one_shot() -> Iterator[ApiServer | None]:
    """Start Prefect's API server for this command and point PREFECT_API_URL at it (call before importing
    Prefect); stop it after. Yields None, starting nothing, when `wanted()` is false."""
    if not wanted():
        yield None
        return
    server = ApiServer()
    os.environ["PREFECT_API_URL"] = server.api_url
    _refresh()
    try:
        yield server
    finally:
        _drain()
        os.environ.pop("PREFECT_API_URL", None)
        _refresh()
        server.stop()


def _drain(timeout: float = 5.0) -> None:
    """Let Prefect's background senders (events over a websocket, logs) deliver what they hold while the server
    still runs: stopped after it, they log connection errors with tracebacks at exit. In a thread of its own:
    called where an event loop runs (the CLI invoked from async code), drain_all would return a coroutine."""
    def drain() -> None:
        if "prefect.events.worker" in sys.modules:
            from prefect.events.worker import EventsWorker

            EventsWorker.drain_all(timeout=timeout, at_exit=False)
        if "prefect.logging.handlers" in sys.modules:
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=timeout, at_exit=False)

    worker = threading.Thread(target=drain, name="gongkai-drain", daemon=True)
    worker.start()
    worker.join(2 * timeout + 1)


def _refresh() -> None:
    """Prefect reads its settings once, at import: when it is already imported (the CLI called in-process, as
    the tests do), have it read them again so that it uses (then stops using) this server."""
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()
