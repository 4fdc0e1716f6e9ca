"""CLI commands of the rules engine: ``gazette calc``, ``batch``, ``test``, ``rules`` (``params``: params_cli).

``src/gazette/cli.py`` calls :func:`register`. Bad input raises :class:`gazette.errors.GazetteError`,
which the top-level CLI prints as one line with a non-zero exit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette.errors import InvalidInput


def _engine():
    from gazette.rules.engine import get_engine

    return get_engine()


def _overrides(sets: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in sets or []:
        if "=" not in s:
            raise InvalidInput("--set 的格式为 参数id=值", "--set takes PARAM_ID=VALUE", field="--set")
        k, v = s.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            out[k.strip()] = v.strip()
    return out


def _read_json(path: Path) -> Any:
    from gazette.rules.engine import load_json

    if str(path) == "-":
        import sys

        return load_json(sys.stdin.read())
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}", f"no such file: {path}", field="SITUATION")
    return load_json(path.read_text(encoding="utf-8"))


def _json_default(o):
    from decimal import Decimal

    if isinstance(o, Decimal):
        return str(o)
    return str(o)


def register(app: typer.Typer) -> None:
    @app.command("calc")
    def calc(
        situation: Annotated[Path, typer.Argument(help="situation JSON file ('-' for stdin)")],
        on: Annotated[str | None, typer.Option("--on", help="calculation date YYYY-MM-DD (default: today, said so)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the full JSON result")] = False,
        rule: Annotated[list[str] | None, typer.Option("--rule", help="only these rule ids")] = None,
        set_: Annotated[list[str] | None, typer.Option("--set", help="what-if override PARAM_ID=JSON")] = None,
    ) -> None:
        """计算一个情形下适用的每条规则：金额、条件、依据条款。Compute every applicable rule for a situation."""
        from gazette.rules.engine import parse_date

        if on is None:
            import datetime as dt

            on = dt.date.today().isoformat()
            typer.echo(f"计算日期：今天 {on}（未给出 --on）/ computed for today, {on} (no --on given)", err=True)
        engine = _engine()
        res = engine.calculate(_read_json(situation), parse_date(on), _overrides(set_), explain=True,
                               rule_ids=set(rule) if rule else None)
        if as_json:
            typer.echo(json.dumps(res, ensure_ascii=False, indent=2, default=_json_default))
            return
        _print_calc(res)

    @app.command("batch")
    def batch(
        input: Annotated[Path, typer.Argument(help="table of one entity (.parquet, .csv, .arrow), or a dataset "
                                                    "directory of Parquet files per entity (docs/distributed.md)")],
        on: Annotated[str, typer.Option("--on", help="calculation date YYYY-MM-DD")],
        output: Annotated[Path | None, typer.Option("-o", "--output", "--out",
                                                    help="output table (.parquet/.csv/.arrow); a directory for a dataset")] = None,
        entity: Annotated[str | None, typer.Option("--entity", help="entity name (guessed from columns)")] = None,
        set_: Annotated[list[str] | None, typer.Option("--set", help="what-if override PARAM_ID=JSON")] = None,
        totals: Annotated[Path | None, typer.Option("--totals", help="write totals JSON here")] = None,
        cluster: Annotated[str | None, typer.Option("--cluster", help="dataset: local:N or tcp://host:8786 (Dask)")] = None,
        skip_bad: Annotated[bool, typer.Option("--skip-bad", help="dataset: report bad partitions and go on")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="dataset: print the summary as JSON")] = False,
        rows_per_task: Annotated[int, typer.Option("--rows-per-task", min=1, help="dataset: rows per task")] = 1_000_000,
    ) -> None:
        """批量计算并按县（市、区）和规则汇总。Evaluate a table of millions of rows, with totals."""
        if input.is_dir() or cluster:  # a dataset directory: partition tasks, in-process or on Dask
            from gazette.rules.distributed.cli import run_batch_dataset

            return run_batch_dataset(input, on, output, cluster, _overrides(set_), skip_bad, as_json, rows_per_task)
        if output is None:
            raise InvalidInput("需要 -o 输出文件", "an output table is needed: -o FILE", field="--output")
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from gazette.rules.batch import read_table, run_batch, write_table
        from gazette.rules.engine import parse_date

        engine = _engine()
        day = parse_date(on)
        overrides = engine.parse_overrides(_overrides(set_))
        console = Console(stderr=True)
        with console.status("reading input"):
            df = read_table(input)
        with Progress(TextColumn("[bold]evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as prog:
            task = prog.add_task("rows", total=df.height)
            res = run_batch(engine, df, day, entity, overrides, progress=lambda done, n: prog.update(task, completed=done))
            base = None
            if overrides:
                t2 = prog.add_task("baseline", total=df.height)
                base = run_batch(engine, df, day, entity, None, progress=lambda done, n: prog.update(t2, completed=done))
        write_table(res.output, output)
        summary = res.to_json()
        if base is not None:
            from gazette.rules.money import fen_to_yuan

            summary["baseline_total_benefits_yuan"] = fen_to_yuan(base.total_benefits_fen)
            summary["what_if_cost_yuan"] = fen_to_yuan(res.total_benefits_fen - base.total_benefits_fen)
        if totals:
            totals.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        _print_totals(summary)

    @app.command("test")
    def test(
        policy: Annotated[str | None, typer.Argument(help="only this policy folder")] = None,
        verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False,
    ) -> None:
        """运行每个政策目录的 tests.yaml。Run every policy folder's YAML cases."""
        from gazette.rules.cases import run_policy

        engine = _engine()
        policies = [p for p in engine.policies if policy is None or p.name == policy]
        if not policies:
            raise InvalidInput(f"未找到政策目录 {policy}", f"no policy folder {policy}", field="POLICY")
        failed = passed = 0
        for p in policies:
            results = run_policy(engine, p)
            ok = sum(r.ok for r in results)
            passed += ok
            failed += len(results) - ok
            typer.echo(f"{p.name}: {ok}/{len(results)} cases")
            for r in results:
                if not r.ok:
                    typer.echo(f"  FAIL {r.name} [{r.rule}] {r.message}")
                elif verbose:
                    typer.echo(f"  ok   {r.name} [{r.rule}]")
        typer.echo(f"{passed} passed, {failed} failed")
        if failed:
            raise typer.Exit(1)

    @app.command("rules")
    def rules(
        on: Annotated[str | None, typer.Option("--on", help="only rules in force on this date")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """列出规则（条款 id、实体、有效期）。List rules."""
        from gazette.rules.engine import parse_date

        engine = _engine()
        day = parse_date(on) if on else None
        rows = [{"id": r.id, "entity": r.entity, "kind": r.kind, "valid_from": r.valid_from.isoformat(),
                 "valid_to": r.valid_to.isoformat() if r.valid_to else None, "title_zh": r.title_zh}
                for r in engine.rules if not (day and r.on_window and not r.in_window(day))]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            typer.echo(f"{r['id']}\t{r['entity']}\t{r['kind']}\t{r['valid_from']}–{r['valid_to'] or '…'}\t{r['title_zh']}")


def _print_calc(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=min(Console().width, 100))
    # Eligible results first, then those needing a fact, then the rest; the status word is never
    # split and long titles wrap, so the table fits 80 columns.
    order = {"eligible": 0, "unknown": 1}
    results = sorted(res["results"], key=lambda r: order.get(r["status"], 2))
    res = dict(res, results=results)
    table = Table(title=f"计算日期 {res['on']}")
    table.add_column("status", no_wrap=True)
    table.add_column("amount (yuan)", no_wrap=True, justify="right")
    table.add_column("rule · title", overflow="fold", ratio=1)
    for r in results:
        amount = r["amount_yuan"] if r["amount_yuan"] is not None else r.get("outcome", "")
        table.add_row(r["status"], amount or "", f"{r['rule']}（{r['entity']}）\n{r['title_zh']}")
    console.print(table)
    for r in res["results"]:
        if r["status"] == "ineligible" and not any(
                e.get("nearest_text_zh") or (e["kind"] == "tier" and e.get("text_zh")) for e in r.get("explanation", [])):
            continue
        console.print(f"[bold]{r['rule']}[/bold] {r['entity']}: {r['status']} {r['amount_yuan'] or ''}")
        for e in r.get("explanation", []):
            if e["kind"] == "condition":
                mark = {"pass": "✓", "fail": "✗", "unknown": "?"}[e["status"]]
                extra = f" — 缺少 {', '.join(e['missing'])}" if e.get("missing") else ""
                console.print(f"  {mark} {e['text_zh']}{extra}")
                if e.get("nearest_text_zh"):
                    console.print(f"    → {e['nearest_text_zh']}")
            elif e["kind"] == "tier" and e.get("text_zh"):
                console.print(f"  → {e['text_zh']}")
    console.print(f"合计（给付类）：{res['totals']['benefits_yuan']} 元")


def _print_totals(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"{summary['entity']} × {summary['rows']:,} rows — by rule")
    t.add_column("rule", no_wrap=True)
    for col in ("kind", "eligible", "unknown", "amount (yuan)"):
        t.add_column(col, overflow="fold", justify="right" if col != "kind" else "left")
    for r in summary["by_rule"]:
        t.add_row(r["rule"], r["kind"], f"{r['eligible']:,}", f"{r['unknown']:,}", r["amount_yuan"])
    console.print(t)
    if summary["by_district"]:
        d = Table(title="by district (benefits)")
        for col in ("district", "rows", "amount (yuan)"):
            d.add_column(col, overflow="fold")
        for r in summary["by_district"]:
            d.add_row(str(r["district"]), f"{r['rows']:,}", r["amount_yuan"])
        console.print(d)
    console.print(f"total benefits: {summary['total_benefits_yuan']} yuan")
    if "what_if_cost_yuan" in summary:
        console.print(f"baseline: {summary['baseline_total_benefits_yuan']} yuan; what-if cost: {summary['what_if_cost_yuan']} yuan")
