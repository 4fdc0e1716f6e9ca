"""A CLI that starts fast (#18): contributed command groups are listed in --help without being
imported, imported when run; a new database is created by the first command that needs it."""

import os
import subprocess
import sys
import textwrap

from typer.testing import CliRunner

from gazette import cli_lazy
from gazette.cli import app
from tests.conftest import ROOT

WILD = ROOT / "tests" / "corpus" / "wild" / "docs"

runner = CliRunner()
GROUPS = ("calc", "rules", "users", "vouchers", "fund")


def _run(args, env_extra, code=None):
    env = dict(os.environ, **env_extra)
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "gazette.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def test_help_lists_every_group_without_importing_them(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = _run(["--help"], env)  # no cache yet: every module imported once, the catalogue written
    assert first.returncode == 0, first.stderr
    assert all(f"  {g} " in first.stdout for g in GROUPS)
    probe = textwrap.dedent("""
        import sys
        sys.argv = ["gazette", "--help"]
        from gazette.cli import main
        try:
            main()
        except SystemExit:
            pass
        print("HEAVY:", sorted(m for m in ("sqlalchemy", "polars", "pydantic_settings", "rich.console") if m in sys.modules))
    """)
    second = _run([], env, code=probe)
    assert all(f"  {g} " in second.stdout for g in GROUPS)
    assert "HEAVY: []" in second.stdout


def test_a_module_added_to_the_pack_is_listed_and_runs(tmp_path, monkeypatch):
    (tmp_path / "extra_cmds_h18.py").write_text(textwrap.dedent('''
        import typer

        def register(app):
            g = typer.Typer(help="An added scheme.")
            app.add_typer(g, name="added")

            @g.command("hello")
            def hello(name: str = "x"):
                print("hello", name)
    '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    base = cli_lazy.contributed_modules()
    monkeypatch.setattr(cli_lazy, "contributed_modules", lambda: base + ("extra_cmds_h18", "no.such.module"))
    monkeypatch.setattr(cli_lazy, "_catalogue", None)
    listing = runner.invoke(app, ["--help"])
    assert "added" in listing.output and "An added scheme." in listing.output
    monkeypatch.setattr(cli_lazy, "_catalogue", None)  # from the cache now
    ran = runner.invoke(app, ["added", "hello", "--name", "嘉兴"])
    assert ran.exit_code == 0 and "hello 嘉兴" in ran.output
    monkeypatch.setattr(cli_lazy, "_catalogue", None)


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.startswith("gazette ")


def test_migration_heads_agree_with_alembic():
    from alembic.script import ScriptDirectory

    from gazette.cli_db import migration_heads
    from gazette.store.migrate import alembic_config

    assert migration_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_pack_default_matches_settings():
    from gazette.packs import DEFAULT_PACK
    from gazette.settings import Settings

    assert Settings.model_fields["pack"].default == DEFAULT_PACK


def test_ingest_on_a_new_database_creates_it(tmp_path):
    env = {"GAZETTE_DATABASE_URL": f"sqlite:///{tmp_path}/new/fresh.db", "GAZETTE_SEARCH_INDEX_DIR": str(tmp_path / "ix")}
    r = _run(["ingest", str(WILD / "07-lenticular-brackets.txt")], env)
    assert r.returncode == 0, r.stderr
    assert "migrating" in r.stderr and "Traceback" not in r.stderr
    shown = _run(["status", "嘉政发[2018]12号", "--on", "2019-06-01"], env)
    assert shown.returncode == 0 and "migrating" not in shown.stderr


def test_a_scheme_command_on_an_empty_database_says_what_to_run(tmp_path):
    env = {"GAZETTE_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}
    r = _run(["vouchers", "pools"], env)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == ["错误 / error: 数据库尚未初始化，请先运行 gazette migrate / the database has no schema yet: run `gazette migrate`"]


def test_a_broken_module_does_not_take_the_cli_down(tmp_path, monkeypatch):
    (tmp_path / "broken_cmds_h18.py").write_text("raise ImportError('half-written')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    base = cli_lazy.contributed_modules()
    monkeypatch.setattr(cli_lazy, "contributed_modules", lambda: base + ("broken_cmds_h18",))
    monkeypatch.setattr(cli_lazy, "_catalogue", None)
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "vouchers" in r.output
    assert "commands of broken_cmds_h18 not loaded" in r.stderr
    assert not (tmp_path / "cache" / "gazette" / "cli-commands.json").exists()
    monkeypatch.setattr(cli_lazy, "_catalogue", None)


def test_a_mistyped_lazy_command_gets_a_suggestion():
    r = runner.invoke(app, ["vouchrs", "pools"])
    assert r.exit_code == 2 and "Did you mean 'vouchers'?" in r.output
