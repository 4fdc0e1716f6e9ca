"""``gazette params``: list parameters, show one, export the tree as OpenFisca files.

``gazette params [ID] [--on DATE]`` lists the parameters or shows one (history, references, users);
``gazette params export DIR [--check]`` writes the pack's parameter tree as OpenFisca parameter files
and, with ``--check``, loads them with openfisca-core and compares every value on every change date
with ours (openfisca-core must be installed: the ``dev`` extra).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup


class _ParamsGroup(TyperGroup):
    """``gazette params ID`` and ``gazette params --on DATE`` stay what they were: anything that is not
    a sub-command goes to ``show``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(type(o).__name__)


params_app = typer.Typer(cls=_ParamsGroup, no_args_is_help=False, add_completion=False, rich_markup_mode=None,
                         help="参数：列出、查看、导出为 OpenFisca 文件。Parameters: list, show, export as OpenFisca files.")


@params_app.command("show")
def show(
    pid: Annotated[str | None, typer.Argument(help="parameter id, e.g. nev.voucher.tiers")] = None,
    on: Annotated[str | None, typer.Option("--on", help="show values on this date")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (one parameter is always JSON)")] = False,
) -> None:
    """列出参数，或显示一个参数的历史与依据。List parameters or show one with its history."""
    from gazette.rules.engine import get_engine, parse_date
    from gazette.rules.parameters import render

    engine = get_engine()
    if pid:
        p = engine.parameter(pid)
        data = p.to_json()
        data["used_by"] = engine.rules_for(pid)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        return
    day = parse_date(on) if on else None
    rows = []
    for p in engine.params:
        row = {"id": p.id, "description": p.description}
        if day is not None and p.defined_on(day):
            v, _ = p.at(day)
            row["value"] = render(v, p.unit) if p.kind == "value" else len(v)
        rows.append(row)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default))
        return
    for row in rows:
        line = f"{row['id']}\t{row['description']}"
        if "value" in row:
            line += f"\t{json.dumps(row['value'], ensure_ascii=False, default=_json_default)}"
        typer.echo(line)


@params_app.command("export")
def export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="directory to write (created)")],
    check: Annotated[bool, typer.Option("--check", help="load DIR with openfisca-core and compare every value")] = False,
) -> None:
    """导出参数树为 OpenFisca 参数文件。Write the parameter tree as OpenFisca parameter files."""
    from gazette.errors import Misconfigured
    from gazette.packs import load_pack
    from gazette.rules.openfisca_export import export as write
    from gazette.rules.openfisca_export import load_pack_parameters

    pack = load_pack()
    if pack.policies_dir is None:
        raise Misconfigured("内容包没有政策规则", f"pack {pack.name} has no policies", code="pack_has_no_policies")
    params, nodes = load_pack_parameters(pack.policies_dir)
    files = write(params, directory, nodes, description=f"{pack.name} parameters (gazette params export)")
    typer.echo(f"written {len(params)} parameters in {len(files)} files to {directory}")
    if check:
        try:
            from gazette.rules.openfisca_compare import compare, openfisca_tree

            result = compare(params, openfisca_tree(directory))
        except ImportError:
            raise Misconfigured("未安装 openfisca-core（pip install -e '.[dev]'）",
                                "openfisca-core is not installed (pip install -e '.[dev]')",
                                code="openfisca_missing") from None
        typer.echo(f"openfisca-core {_version()}: {result.summary()}")
        for m in result.mismatches[:20]:
            typer.echo(f"  {m}")
        if not result.equal:
            raise typer.Exit(1)


def _version() -> str:
    from importlib.metadata import version

    return version("openfisca-core")


def register(app: typer.Typer) -> None:
    app.add_typer(params_app, name="params")
