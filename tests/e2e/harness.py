"""Set up a test database as `make run` does (shipped gazettes ingested, `gazette demo` run) and
serve it with a real uvicorn process. Shared by the browser tests and the schemathesis run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData

from gazette.store.db import dispose_engines, get_engine
from tests.conftest import ROOT

# `make test` runs the SQLite and PostgreSQL passes side by side: each keeps its own logs and screenshots.
ARTIFACTS = ROOT / "tests" / "_artifacts" / os.environ.get("GAZETTE_TEST_ARTIFACTS", "")
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "gazette-demo"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def empty_database(url: str) -> None:
    """Empty every table (including those of packs this process never imported); keep the schema."""
    engine = get_engine(url)
    with engine.begin() as conn:
        existing = MetaData()
        existing.reflect(conn)
        for table in reversed(existing.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    dispose_engines()  # the CLI and the server are other processes: hold no connection (or SQLite lock)


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "GAZETTE_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}); see {log}:\n{log.read_text()[-3000:]}")


def prepare_database(url: str, log: Path) -> None:
    """A blank database, then exactly what `make run` does: ingest the shipped gazettes, `gazette demo`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    empty_database(url)
    env = _env(url)
    _run([str(BIN / "gazette"), "ingest", "--pack"], env, log)
    _run([str(BIN / "gazette"), "demo"], env, log)


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not become healthy within {timeout}s:\n{log.read_text()[-3000:]}")


@contextmanager
def serve(url: str, log: Path) -> Iterator[str]:
    """A uvicorn subprocess over the database at `url`; yields its base URL once /api/v1/health answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "gazette.api.app:app", "--host", "127.0.0.1", "--port", str(port)],
            env=_env(url), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form by typing, as a person would; ends on the page login redirects to."""
    if "/login" not in page.url:
        page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    assert "/login" not in page.url.split("?", 1)[0], f"login as {username} failed: {page.url}"
