"""``gazette budget …``: import, check, calendar, event, request, requests, route, decide, npc, show.

Every data command takes ``--json``; without it a short table is printed. The CLI acts as the
operator (actor ``operator``, with the city administrator's powers); ``--key`` makes a command
idempotent (a repeat with the same key returns the first result), otherwise a fresh key is used.
Errors print one line and exit non-zero (gazette.cli.main).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from jiaxing.schemes.budget.calendar import ObligationStatus

budget_app = typer.Typer(help="市本级预算（嘉政发〔2022〕5号）: import, checks, calendar, adjustment requests.",
                         no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Key = Annotated[str | None, typer.Option("--key", help="idempotency key: a repeat returns the first result")]
ACTOR = "operator"


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")


def _out(data: Any, as_json: bool, lines: list[str] | None = None) -> None:
    if as_json or lines is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo("\n".join(lines))


def _key(key: str | None) -> str:
    return key or f"cli-{uuid.uuid4().hex}"


def _run(cmd) -> dict[str, Any]:
    import jiaxing.schemes.budget.handlers  # noqa: F401  (registers the handlers)
    from gazette.schemes.handler import execute

    out = execute(cmd)
    return {**out.result, "replayed": out.replayed} if out.replayed else out.result


def _date(value: str | None, field: str = "on"):
    from gazette import validate
    from jiaxing.schemes.budget.queries import today

    return today() if value is None else validate.date(value, field)


def _check_lines(res: dict[str, Any]) -> list[str]:
    lines = [f"{res.get('year', '')} 合规检查 compliance checks: {'✓ 全部通过 all pass' if res['ok'] else '✗ 未全部通过'}"]
    for c in res["checks"]:
        lines.append(f"  {c['mark']} {c['title_zh']}  [{c['clause']}]")
        lines.append(f"      {c['explanation_zh']}")
    return lines


@budget_app.command("import")
def import_(year: Annotated[int, typer.Argument(help="budget year, e.g. 2023")],
            file: Annotated[Path, typer.Argument(help=".xlsx or .csv (see docs/budget.md)")],
            key: Key = None, as_json: JsonFlag = False) -> None:
    """Import a budget year's figures (row-by-row validation; nothing written on any error); runs the checks."""
    from gazette import validate
    from jiaxing.schemes.budget import data as budget_data
    from jiaxing.schemes.budget.commands import ImportBudget

    y = validate.integer(year, "year", minimum=2000, maximum=2100)
    rows = budget_data.read_file(file)
    res = _run(ImportBudget(idempotency_key=_key(key), actor=ACTOR, year=y, rows=tuple(rows), source=file.name))
    _out(res, as_json, [f"导入 imported {res['year']}: {res['summary']['departments']} 个部门 departments", *_check_lines(res)])


@budget_app.command("check")
def check(year: int, key: Key = None, as_json: JsonFlag = False) -> None:
    """Run the compliance checks (三 / 二.（二）/ 四.（六）.2): each with its clause, figures and ✓/✗."""
    from jiaxing.schemes.budget.commands import RunChecks

    res = _run(RunChecks(idempotency_key=_key(key), actor=ACTOR, year=year))
    _out(res, as_json, _check_lines(res))


@budget_app.command("calendar")
def calendar(year: int, as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
             department: Annotated[str | None, typer.Option(help="only this department's obligations")] = None,
             overdue: Annotated[bool, typer.Option("--overdue", help="only overdue obligations")] = False,
             as_json: JsonFlag = False) -> None:
    """The obligations of the year: due dates derived from events, overdue ones flagged."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.budget import queries

    with unit_of_work() as s:
        res = queries.calendar(s, year, _date(as_of, "as_of"), department)
    if overdue:
        res["obligations"] = [o for o in res["obligations"] if o["overdue"]]
    lines = [f"{year} 预算日历 calendar as of {res['as_of']}: {res['overdue']} 项逾期 overdue"]
    for o in res["obligations"]:
        flag = "⚠" if o["overdue"] else ("✓" if o["status"] == ObligationStatus.DONE else "·")
        lines.append(f"  {flag} {o['due']}  {o['title_zh']}  {o['subject']} {o['period']}  "
                     f"[{o['status_label']}] {o['clause']}")
    _out(res, as_json, lines)


@budget_app.command("event")
def event(year: int, kind: Annotated[str, typer.Argument(help="e.g. budget_approved, department_replied")],
          on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
          subject: Annotated[str, typer.Option(help="the department, district or plan")] = "",
          period: Annotated[str, typer.Option(help="YYYY-MM of a monthly report")] = "",
          note: str = "", key: Key = None, as_json: JsonFlag = False) -> None:
    """Record one event of the calendar (the obligations it starts or completes follow from it)."""
    from jiaxing.schemes.budget.commands import RecordEvent

    res = _run(RecordEvent(idempotency_key=_key(key), actor=ACTOR, year=year, kind=kind, on=_date(on),
                           subject=subject, period=period, note=note))
    _out(res, as_json, [f"已记录 recorded #{res['event_id']}: {kind} {subject} {period} {res['on']}"])


@budget_app.command("request")
def request(year: int, department: Annotated[str, typer.Option()], title: Annotated[str, typer.Option()],
            kind: Annotated[str, typer.Option(help="reallocation | reserve_fund | total_change")],
            condition: Annotated[str, typer.Option(help="new_temporary_work | function_change | new_staff | "
                                                         "project_cancelled | unforeseeable | none")],
            amount: Annotated[str, typer.Option(help="yuan")],
            unit: Annotated[str, typer.Option(help="the unit asking (default: the department itself)")] = "",
            direction: Annotated[str, typer.Option(help="increase | decrease")] = "increase",
            priority: Annotated[int, typer.Option(help="1–5, the order of 二.（二）.2")] = 5,
            performance: Annotated[str, typer.Option(help="事前绩效评估: 优/良/中/差 (blank: not done)")] = "",
            affordability: Annotated[str, typer.Option(help="可承受/不可承受 (blank: not done)")] = "",
            on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
            key: Key = None, as_json: JsonFlag = False) -> None:
    """A department files an adjustment request for itself or one of its units (四.（四）.1)."""
    from gazette import validate
    from jiaxing.schemes.budget.commands import FileRequest

    res = _run(FileRequest(idempotency_key=_key(key), actor=ACTOR, year=year, department=department, unit=unit,
                           title=validate.text(title, "title", max_length=300), kind=kind, condition=condition,
                           direction=direction, amount_fen=validate.yuan(amount, "amount", allow_zero=False),
                           priority_class=priority, performance=performance, affordability=affordability,
                           on=_date(on)))
    _out(res, as_json, [f"申请 request #{res['id']} {res['status']}: {res['department']}/{res['unit']} {res['amount']} 元"])


@budget_app.command("requests")
def requests(year: int, department: Annotated[str | None, typer.Option()] = None,
             reserve_list: Annotated[bool, typer.Option("--reserve-list", help="the ranked reserve list")] = False,
             as_json: JsonFlag = False) -> None:
    """The year's adjustment requests, or the reserve list ranked by priority (四.（四）.3)."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.budget import queries
    from jiaxing.schemes.budget.handlers import get_year

    with unit_of_work() as s:
        get_year(s, year)
        rows = (queries.reserve_list(s, year, department) if reserve_list
                else queries.requests(s, year, department))
    _out(rows, as_json, [f"{('#' + str(r['rank']) + ' ') if reserve_list else ''}[{r['id']}] {r['status']} "
                         f"{r['next_step']} {r['department']}/{r['unit']} {r['title']} {r['amount']} 元"
                         for r in rows] or ["（无 none）"])


@budget_app.command("route")
def route(request_id: int, on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
          key: Key = None, as_json: JsonFlag = False) -> None:
    """Finance accepts and routes a request by its kind (四.（五）), or refuses it (四.（三）)."""
    from jiaxing.schemes.budget.commands import RouteRequest

    res = _run(RouteRequest(idempotency_key=_key(key), actor=ACTOR, request_id=request_id, on=_date(on)))
    _out(res, as_json, [f"[{res['id']}] {res['status']} → {res['next_step'] or '—'} ({res['authority']})",
                        *[f"  ✗ {x['zh']} [{x['clause']}]" for x in res["reasons"]]])


@budget_app.command("decide")
def decide(request_id: int, outcome: Annotated[str, typer.Argument(help="approve | reject")],
           on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
           role: Annotated[str, typer.Option(help="finance_officer | approver | city_admin")] = "city_admin",
           note: str = "", key: Key = None, as_json: JsonFlag = False) -> None:
    """Decide the next step of a routed request; approvals are barred up to 30 June and in December."""
    from jiaxing.schemes.budget.commands import Decide

    res = _run(Decide(idempotency_key=_key(key), actor=ACTOR, request_id=request_id, outcome=outcome, on=_date(on),
                      role=role, note=note))
    _out(res, as_json, [f"[{res['id']}] {res['status']} → {res['next_step'] or '—'}"])


@budget_app.command("npc")
def npc(request_id: int, on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
        reason: Annotated[str, typer.Option(help="required after 31 October (四.（六）.1)")] = "",
        key: Key = None, as_json: JsonFlag = False) -> None:
    """Submit an adjustment plan to the 人大常委会 (after 31 October only with a reason)."""
    from jiaxing.schemes.budget.commands import SubmitToNPC

    res = _run(SubmitToNPC(idempotency_key=_key(key), actor=ACTOR, request_id=request_id, on=_date(on),
                           reason=reason))
    _out(res, as_json, [f"[{res['id']}] 已提请 submitted {res['npc_submitted_on']} → {res['next_step']}"])


@budget_app.command("show")
def show(request_id: int, as_json: JsonFlag = False) -> None:
    """One request with every decision: who, when, the step and the clause."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.budget import queries

    with unit_of_work() as s:
        res = queries.get_request(s, request_id)
    _out(res, as_json, [f"[{res['id']}] {res['title']} {res['status']} {res['amount']} 元",
                        *[f"  {d['on']} {d['step_zh']} {d['outcome']} — {d['actor']} [{d['clause']}]"
                          for d in res["decisions"]]])
