"""``gazette synth`` and the dataset path of ``gazette batch DIR --out OUT [--cluster …]``.

``src/gazette/rules/cli.py`` hands ``gazette batch`` over to :func:`run_batch_dataset` when its
input is a directory (or ``--cluster`` is given); a single table keeps the in-process path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette.errors import InvalidInput


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        out: Annotated[Path, typer.Option("--out", help="dataset directory to write")],
        persons: Annotated[int, typer.Option("--persons", min=0, help="persons")] = 1000,
        purchases: Annotated[int, typer.Option("--purchases", min=0, help="vehicle purchases")] = 1000,
        enterprises: Annotated[int, typer.Option("--enterprises", min=0, help="enterprises")] = 1000,
        seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
        rows_per_file: Annotated[int, typer.Option("--rows-per-file", min=1, help="rows per Parquet file")] = 1_000_000,
    ) -> None:
        """生成一个合成的省级数据集（分区 Parquet）。Write a synthetic, partitioned province."""
        from gazette.rules.distributed.synth import synth as make

        report = make(out, persons, purchases, enterprises, seed, rows_per_file=rows_per_file)
        for plural, r in report.items():
            typer.echo(f"{plural}: {r['rows']:,} rows in {r['files']} file(s)")
        typer.echo(f"written to {out}")


def run_batch_dataset(dataset: Path, on: str, out: Path | None, cluster: str | None, sets: dict[str, Any],
                      skip_bad: bool, as_json: bool, rows_per_task: int) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from gazette.rules.distributed.job import Job
    from gazette.rules.engine import parse_date

    if out is None:
        raise InvalidInput("数据集批量计算需要 --out 输出目录", "a dataset run needs --out DIR", field="--out")
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out 应为目录：{out}", f"--out must be a directory: {out}", field="--out")
    console = Console(stderr=True)
    prog = Progress(TextColumn("[bold]partitions"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=console, transient=False)
    state: dict[str, Any] = {}

    def progress(p: dict) -> None:
        import time

        if "task" not in state:
            if cluster:
                dash = job.stats.get("dashboard")
                console.print(f"running on: {job.stats.get('cluster')} ({job.stats.get('workers')} workers); Dask dashboard: "
                              + (dash or "not available (needs the bokeh package, which is not installed)"), markup=False)
            state["task"] = prog.add_task("run", total=p["total_parts"], rate="")
            state["t0"] = time.perf_counter()
            prog.start()
        dt_ = max(time.perf_counter() - state["t0"], 1e-9)
        rate = f"{p['done_rows'] / dt_:,.0f} rows/s" if p["done_rows"] else ""
        prog.update(state["task"], completed=p["done_parts"], rate=rate)

    job = Job(dataset, parse_date(on), out, sets, cluster=cluster, skip_bad=skip_bad, rows_per_task=rows_per_task,
              progress=progress)
    try:
        summary = job.run()
    finally:
        if "task" in state:
            prog.stop()
    parts = summary["partitions"]
    console.print(f"{parts['computed']} partition(s) computed, {parts['skipped']} already done, {len(parts['bad'])} bad; "
                  f"{job.stats.get('seconds', 0):.1f} s; summary in {out / 'summary.json'}", markup=False)
    if parts["bad"]:
        console.print(f"bad partitions skipped (report: {out / 'bad_partitions.json'}):", markup=False)
        for b in parts["bad"]:
            console.print(f"  {b['file']}: {b['code']} {b['message_en']}", markup=False)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print(summary)


def _print(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from gazette.rules.money import fen_to_yuan

    console = Console()
    t = Table(title=f"{summary['rows']:,} rows — by rule and status")
    for col in ("rule", "eligible", "amount (yuan)", "ineligible", "unknown"):
        t.add_column(col, justify="left" if col == "rule" else "right", overflow="fold")
    for r, st in summary["by_rule"].items():
        t.add_row(r, f"{st['eligible']['count']:,}", fen_to_yuan(st["eligible"]["amount_fen"]),
                  f"{st['ineligible']['count']:,}", f"{st['unknown']['count']:,}")
    console.print(t)
    wi = summary.get("what_if")
    if wi:
        w = Table(title=f"what-if {json.dumps(wi['overrides'], ensure_ascii=False)} — cost {fen_to_yuan(wi['cost_fen'])} yuan")
        for col in ("rule", "gainers", "losers", "baseline (yuan)", "what-if (yuan)", "cost (yuan)"):
            w.add_column(col, justify="left" if col == "rule" else "right", overflow="fold")
        for r, c in wi["by_rule"].items():
            if c["gainers"] or c["losers"]:
                w.add_row(r, f"{c['gainers']:,}", f"{c['losers']:,}", fen_to_yuan(c["baseline_fen"]),
                          fen_to_yuan(c["what_if_fen"]), fen_to_yuan(c["cost_fen"]))
        console.print(w)
