"""CLI: ``gazette supervision …`` — the register, progress reports, the “551” projects, lights, the
calendar, imports and exports. Every data command takes ``--json``; an error prints one line and
exits 1 (the top-level CLI turns a GazetteError into that)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette import validate
from jiaxing.schemes.supervision.status import ReportStatus

Json = Annotated[bool, typer.Option("--json", help="machine-readable output")]
On = Annotated[str | None, typer.Option("--on", help="the day to derive statuses on, YYYY-MM-DD (default today)")]
Key = Annotated[str | None, typer.Option("--key", help="idempotency key: a repeat returns the first result")]
Actor = Annotated[str, typer.Option("--actor", help="who is acting (written to the audit log)")]


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _on(value: str | None) -> dt.date:
    from jiaxing.schemes.supervision.service import today

    return validate.date(value, "on") if value else today()


def _key(key: str | None, *parts: object) -> str:
    return key or "cli-" + "-".join(str(p) for p in parts)[:150]


def register(app: typer.Typer) -> None:
    sup = typer.Typer(help="督查 Supervision: tasks of the gazette, progress, “551” projects (嘉政办发〔2022〕9号).",
                      no_args_is_help=True)
    app.add_typer(sup, name="supervision")

    @sup.command("sync")
    def sync(actor: Actor = "cli", key: Key = None, as_json: Json = False) -> None:
        """Load (or refresh) the task register from the shipped gazettes; corrections are kept."""
        from jiaxing.schemes.supervision import register as task_register
        from jiaxing.schemes.supervision import service

        entries = tuple(task_register.from_pack())
        res = service.sync(key=_key(key, "sync", len(entries), dt.datetime.now().isoformat()), actor=actor,
                           entries=entries)
        _emit(res) if as_json else typer.echo(f"register: {res['entries']} entries, {res['added']} added, "
                                              f"{res['refreshed']} refreshed")

    @sup.command("tasks")
    def tasks(unit: Annotated[str | None, typer.Option(help="a responsible unit (责任单位)")] = None,
              document: Annotated[str | None, typer.Option(help="a 文号")] = None,
              status: Annotated[str | None, typer.Option(help="on_track | at_risk | overdue | done")] = None,
              on: On = None, as_json: Json = False) -> None:
        """The register with each task's status on a day."""
        from gazette.corpus.docnumber import canonical_doc_number
        from jiaxing.schemes.supervision import tasks as effective_tasks

        doc = canonical_doc_number(document) if document else None
        with _uow() as s:
            rows = effective_tasks.register(s, _on(on), unit=unit, document=doc or document)
        if status:
            rows = [r for r in rows if r["status"] == status]
        if as_json:
            _emit(rows)
            return
        for r in rows:
            typer.echo(f"{r['status']:9} {r['deadline'] or '—':10} {r['id']}  {'、'.join(r['units'][:3])}")
        typer.echo(f"{len(rows)} tasks")

    @sup.command("task")
    def task(task_id: str, on: On = None, as_json: Json = True) -> None:
        """One task: extraction, corrections, reports, status."""
        from jiaxing.schemes.supervision import queries

        with _uow() as s:
            _emit(queries.task_detail(s, task_id, _on(on)))

    @sup.command("report")
    def report(task_id: str, unit: Annotated[str, typer.Option(help="the reporting unit (must be the task's)")],
               percent: Annotated[int, typer.Option(help="0–100")],
               status: Annotated[str, typer.Option(help="in_progress | done | blocked")] = ReportStatus.IN_PROGRESS,
               date: Annotated[str | None, typer.Option(help="report date YYYY-MM-DD (default today)")] = None,
               actual: Annotated[str | None, typer.Option(help="the indicator's actual value")] = None,
               evidence: Annotated[str | None, typer.Option(help="what was done")] = None,
               actor: Actor = "cli", key: Key = None, as_json: Json = False) -> None:
        """A responsible unit's progress report on one of its tasks."""
        from jiaxing.schemes.supervision import service

        day = _on(date)
        res = service.report({"task_id": task_id, "status": status, "percent": percent, "reported_on": day,
                              "actual": actual, "evidence": evidence}, unit=unit,
                             key=_key(key, "report", task_id, unit, day, percent, status), actor=actor)
        _emit(res) if as_json else typer.echo(f"report {res['report_id']}: {task_id} {percent}% {status}"
                                              + (" (replayed)" if res["replayed"] else ""))

    @sup.command("confirm")
    def confirm(task_id: str, note: Annotated[str | None, typer.Option()] = None, actor: Actor = "cli",
                key: Key = None) -> None:
        """An officer confirms the extraction of a task as it is."""
        from jiaxing.schemes.supervision import service

        _emit(service.confirm(task_id, key=_key(key, "confirm", task_id), actor=actor, note=note))

    @sup.command("correct")
    def correct(task_id: str, reason: Annotated[str, typer.Option(help="why (e.g. 责任分解表)")],
                units: Annotated[str | None, typer.Option(help="units separated by 、 (lead first)")] = None,
                deadline: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
                actor: Actor = "cli", key: Key = None) -> None:
        """An officer's correction, kept beside the extraction."""
        from jiaxing.schemes.supervision import service

        _emit(service.correct(task_id, {"reason": reason, "units": units, "deadline": deadline},
                              key=_key(key, "correct", task_id, units, deadline), actor=actor))

    @sup.command("digest")
    def digest(unit: Annotated[str | None, typer.Option(help="one unit only")] = None, on: On = None,
               as_json: Json = False) -> None:
        """Reminders: reports due this month and overdue tasks, by unit."""
        from jiaxing.schemes.supervision import queries

        with _uow() as s:
            rows = queries.reminders(s, _on(on), unit)
        if as_json:
            _emit(rows)
            return
        current = None
        for r in rows:
            if r["unit"] != current:
                current = r["unit"]
                typer.echo(f"\n【{current}】")
            tag = "已逾期 overdue" if r["kind"] == "overdue" else "待填报 report due"
            typer.echo(f"  {tag:16} {r['deadline'] or '—':10} {r['task_id']}")
        typer.echo(f"\n{len(rows)} reminders")

    @sup.command("projects")
    def projects(district: Annotated[str | None, typer.Option()] = None,
                 library: Annotated[str | None, typer.Option(help="reserve | new | construction")] = None,
                 category: Annotated[str | None, typer.Option()] = None,
                 project_id: Annotated[str | None, typer.Option("--id", help="one project with its history")] = None,
                 as_json: Json = False) -> None:
        """Projects of the “551” plan and the expansion list; ``--id`` shows one with its history."""
        from jiaxing.schemes.supervision import queries

        with _uow() as s:
            if project_id:
                _emit(queries.project_detail(s, project_id))
                return
            rows = queries.projects(s, district=district, library=library, category=category, limit=100000)
        if as_json:
            _emit(rows)
            return
        for r in rows:
            typer.echo(f"{r['id']:12} {r['library_label']:10} {r['district']:6} {r['category']} {r['name']}")
        typer.echo(f"{len(rows)} projects")

    @sup.command("event")
    def event(project_id: str, event: Annotated[str, typer.Argument(help="approval_started | construction_started | "
                                                                          "stats_entered | moved_back")],
              on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD")],
              reason: Annotated[str | None, typer.Option()] = None,
              to_library: Annotated[str | None, typer.Option(help="moved_back: reserve | new")] = None,
              month: Annotated[str | None, typer.Option(help="stats_entered: YYYY-MM")] = None,
              actor: Actor = "cli", key: Key = None, as_json: Json = False) -> None:
        """Record a project's event; the library move follows from it and is recorded with it."""
        from jiaxing.schemes.supervision import service

        res = service.project_event(project_id, {"event": event, "on": on, "reason": reason, "to_library": to_library,
                                                 "month": month}, key=_key(key, "event", project_id, event, on),
                                    actor=actor)
        _emit(res) if as_json else typer.echo(" → ".join(f"{m['from']}→{m['to']} ({m['event']})" for m in res["moves"]))

    @sup.command("invest")
    def invest(project_id: str, month: Annotated[str, typer.Option(help="YYYY-MM")],
               amount: Annotated[str, typer.Option(help="万元 completed that month")], actor: Actor = "cli",
               key: Key = None) -> None:
        """A monthly investment report (万元)."""
        from jiaxing.schemes.supervision import service

        _emit(service.report_investment(project_id, month, amount, key=_key(key, "invest", project_id, month, amount),
                                        actor=actor))

    @sup.command("lights")
    def lights(quarter: Annotated[str, typer.Option(help="e.g. 2022Q2")],
               district: Annotated[str | None, typer.Option()] = None,
               category: Annotated[str | None, typer.Option()] = None, as_json: Json = False) -> None:
        """Each project's light for a quarter (嘉政办发〔2022〕9号#三.（三）), the summary and the rankings."""
        from jiaxing.schemes.supervision import lights as project_lights
        from jiaxing.schemes.supervision import queries

        qr = project_lights.quarter(quarter)
        with _uow() as s:
            rows = queries.lights(s, qr, district=district, category=category)
            starts = queries.start_rates(s, qr)
        ranks = project_lights.rankings(rows)
        plain = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        if as_json:
            starts.pop("by_district")
            _emit({"quarter": str(qr), "projects": plain, "summary": queries.lights_summary(rows),
                   "start_rate": starts, "red_flag": ranks["red_flag"], "snail": ranks["snail"]})
            return
        for r in plain:
            if r["light"] != "none":
                typer.echo(f"{project_lights.LIGHTS[r['light']]:12} {r['rate']:>7}%  {r['id']:12} {r['district']} {r['name']}")
        typer.echo(f"开工率 start rate {starts['rate']}% (target {starts['target']}%, "
                   f"{'met' if starts['met'] else 'not met'})")

    @sup.command("calendar")
    def calendar_(month: Annotated[str, typer.Option(help="YYYY-MM")], as_json: Json = False) -> None:
        """The notices about a month: the 10th, the 20th and the 5th of the next month (weekends → Monday)."""
        from jiaxing.schemes.supervision import calendar

        rows = calendar.notices(month)
        with _uow() as s:
            from jiaxing.schemes.supervision import queries

            late = queries.statistics_overdue(s, dt.date.fromisoformat(rows[-1]["date"]))
        if as_json:
            _emit({"notices": rows, "statistics_overdue": late})
            return
        for r in rows:
            typer.echo(f"{r['date']} {r['label']}" + (f" (moved from {r['nominal']})" if r["moved"] else ""))
        typer.echo(f"{len(late)} started projects not yet entered in statistics")

    @sup.command("indicators")
    def indicators(year: int = 2022, as_json: Json = True) -> None:
        """The plan's totals (430 projects, 1,202亿), the reserve (≥5,000亿) and the year's goals."""
        from jiaxing.schemes.supervision import queries

        with _uow() as s:
            _emit(queries.indicators(s, year))

    @sup.command("import")
    def import_(kind: Annotated[str, typer.Argument(help="projects | reports")], path: Path,
                unit: Annotated[str | None, typer.Option(help="reports: the reporting unit")] = None,
                on: Annotated[str, typer.Option("--on", help="projects: registration date")] = "2022-01-01",
                actor: Actor = "cli", key: Key = None, as_json: Json = False) -> None:
        """Import an XLSX: all rows or none; errors name their row and column."""
        import hashlib

        from gazette.errors import InvalidInput
        from jiaxing.schemes.supervision import spreadsheets

        if not path.exists():
            raise InvalidInput(f"文件不存在：{path}", f"file not found: {path}", field="path")
        data = path.read_bytes()
        k = key or f"import-{kind}-{hashlib.sha256(data).hexdigest()[:32]}"
        try:
            if kind == "projects":
                res = spreadsheets.import_projects(data, key=k, actor=actor, on=validate.date(on, "on"))
            elif kind == "reports":
                res = spreadsheets.import_reports(data, key=k, actor=actor, unit=unit)
            else:
                raise InvalidInput("类型应为 projects 或 reports", "kind is projects or reports", field="kind")
        except spreadsheets.SpreadsheetRejected as e:
            for err in e.details["errors"]:
                typer.echo(f"第 {err['row']} 行 row {err['row']}, {err['column']}: {err['message_zh']} / "
                           f"{err['message_en']}", err=True)
            raise
        _emit(res) if as_json else typer.echo(json.dumps(res, ensure_ascii=False))

    @sup.command("export")
    def export(what: Annotated[str, typer.Argument(help="tasks | lights | template")],
               output: Annotated[Path, typer.Option("-o", "--output", help=".xlsx or .csv")],
               quarter: Annotated[str | None, typer.Option(help="lights: e.g. 2022Q2")] = None,
               unit: Annotated[str | None, typer.Option()] = None, on: On = None) -> None:
        """Export the register or a quarter's lights as XLSX or CSV (UTF-8 with BOM)."""
        from gazette.errors import InvalidInput
        from jiaxing.schemes.supervision import lights as project_lights
        from jiaxing.schemes.supervision import queries, spreadsheets
        from jiaxing.schemes.supervision import tasks as effective_tasks

        if what == "template":
            output.write_bytes(spreadsheets.project_template())
            typer.echo(f"written {output}", err=True)
            return
        with _uow() as s:
            if what == "tasks":
                header, rows = spreadsheets.TASK_HEADER, spreadsheets.task_rows(effective_tasks.register(s, _on(on), unit=unit))
            elif what == "lights":
                header, rows = spreadsheets.LIGHT_HEADER, spreadsheets.light_rows(
                    queries.lights(s, project_lights.quarter(quarter or "")))
            else:
                raise InvalidInput("导出内容应为 tasks、lights 或 template", "export tasks, lights or template",
                                   field="what")
        data = spreadsheets.to_csv(header, rows) if output.suffix.lower() == ".csv" else \
            spreadsheets.to_xlsx(header, rows, what)
        output.write_bytes(data)
        typer.echo(f"written {output} ({len(rows)} rows)", err=True)
