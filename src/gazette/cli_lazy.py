"""Lazy command groups for the ``gazette`` CLI.

Commands contributed by other parts of the platform and by the content pack are modules with a
``register(app)`` function (``Pack.commands``). Importing them pulls in SQLAlchemy, polars and the
rules engine — seconds that ``gazette --help`` or ``gazette show`` should not pay. So the root group
knows each contributed command by a *catalogue* (name, short help, module) and imports a module
only when one of its commands is run.

The catalogue is built by importing every module once and is cached on disk, keyed by the path,
modification time and size of each module file, of the pack's own module (which lists them) and of
this file; any change rebuilds it. Without a usable cache everything is imported, as before.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer import _click as click  # typer ≥ 0.20 runs on its own copy of click: its classes must match
from typer.core import TyperCommand, TyperGroup

# Platform parts that contribute commands (the pack's modules follow).
PLATFORM_MODULES = ("gazette.rules.cli", "gazette.rules.params_cli", "gazette.auth.cli",
                    "gazette.rules.distributed.cli")

_catalogue: dict[str, dict[str, Any]] | None = None
_loaded: dict[str, dict[str, click.Command]] = {}  # module → its commands, once imported


def module_file(name: str) -> Path | None:
    """The source file of a module, found without importing it (nor its parent packages, whose
    ``__init__`` may be heavy). None when it does not exist."""
    parts = name.split(".")
    path = None
    spec = None
    for i in range(len(parts)):
        try:
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: i + 1]), path)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        path = spec.submodule_search_locations
    return Path(spec.origin) if spec is not None and spec.origin else None


def contributed_modules() -> tuple[str, ...]:
    from gazette.packs import load_pack

    return PLATFORM_MODULES + tuple(load_pack().commands)


def _fingerprint(modules: tuple[str, ...]) -> tuple[str, list[str]]:
    from gazette.packs import pack_module

    files = [Path(__file__)]
    present: list[str] = []
    for name in modules:
        f = module_file(name)
        if f is not None:
            files.append(f)
            present.append(name)
    source = pack_module()
    pack_file = module_file(source) if source else None
    if pack_file is not None:
        files.append(pack_file)
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f}|{st.st_mtime_ns}|{st.st_size}\n".encode())
    h.update("|".join(modules).encode())
    return h.hexdigest(), present


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gazette" / "cli-commands.json"


def _load_module(name: str) -> dict[str, click.Command]:
    """Import a contributed module and return the click commands its ``register`` adds."""
    if name not in _loaded:
        scratch = typer.Typer()
        scratch.callback()(lambda: None)  # a callback keeps a one-command Typer a group
        module = importlib.import_module(name)
        module.register(scratch)
        group = typer.main.get_command(scratch)
        if getattr(module, "JSON_OUTPUT", False):
            for cmd in group.commands.values():  # type: ignore[attr-defined]
                _accept_json_flag(cmd)
        _loaded[name] = dict(group.commands)  # type: ignore[attr-defined]
    return _loaded[name]


def _accept_json_flag(cmd: click.Command) -> None:
    """A module whose commands always print JSON (``JSON_OUTPUT = True``) still takes ``--json`` on
    each, so every data command is called the same way (``gazette fund open … --json``)."""
    if hasattr(cmd, "commands"):  # a group (TyperGroup)
        for sub in cmd.commands.values():  # type: ignore[attr-defined]
            _accept_json_flag(sub)
        return
    if not any("--json" in getattr(p, "opts", ()) for p in cmd.params):
        cmd.params.append(_json_option())


def _json_option():
    """A ``--json`` flag made by Typer itself (its option classes are internal), not passed on."""
    probe = typer.Typer()

    @probe.command()
    def _probe(as_json: bool = typer.Option(False, "--json", help="Print JSON (this command always does).")) -> None:
        """probe"""

    option = typer.main.get_command(probe).params[0]
    option.expose_value = False
    return option


def catalogue() -> dict[str, dict[str, Any]]:
    """name → {module, help, hidden} for every contributed command."""
    global _catalogue
    if _catalogue is not None:
        return _catalogue
    modules = contributed_modules()
    key, present = _fingerprint(modules)
    path = _cache_path()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            _catalogue = cached["commands"]
            return _catalogue
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    built: dict[str, dict[str, Any]] = {}
    broken = False
    for module in present:
        try:
            commands = _load_module(module)
        except Exception as exc:  # noqa: BLE001 - one broken module must not take the whole CLI down
            sys.stderr.write(f"警告 / warning: commands of {module} not loaded: {exc.__class__.__name__}: {exc}\n")
            broken = True
            continue
        for name, cmd in commands.items():
            built.setdefault(name, {"module": module, "help": cmd.get_short_help_str(limit=300), "hidden": cmd.hidden})
    _catalogue = built
    if broken:
        return built  # not cached: the next run tries the broken module again
    try:  # the cache is an optimisation: a read-only home only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "commands": built}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return built


class _Stub(TyperCommand):
    """Stands for a contributed command in help listings, without importing its module."""

    def __init__(self, name: str, entry: dict[str, Any]):
        super().__init__(name, help=entry["help"], hidden=entry.get("hidden", False))


class LazyGroup(TyperGroup):
    """The root group: its own commands, plus contributed ones imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = list(self.commands)
        names += [n for n in catalogue() if n not in self.commands]
        return names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = catalogue().get(cmd_name)
        if entry is None:
            return None
        real = _loaded.get(entry["module"], {}).get(cmd_name)
        return real or _Stub(cmd_name, entry)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands:
            entry = catalogue().get(args[0])
            if entry is not None:
                for name, cmd in _load_module(entry["module"]).items():
                    self.commands.setdefault(name, cmd)
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:  # suggest among the lazy commands too
            if args and "Did you mean" not in exc.message:
                import difflib

                close = difflib.get_close_matches(args[0], self.list_commands(ctx))
                if close:
                    exc.message = exc.message.rstrip(".") + ". Did you mean " + ", ".join(map(repr, close)) + "?"
            raise
