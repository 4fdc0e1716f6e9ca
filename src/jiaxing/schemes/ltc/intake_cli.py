"""``gazette ltc …`` commands of the intake half: import, fund, duplicates, population, discover,
candidates, apply, applications, assess (collect / assign / score / show), experts, reassess, dashboard.

Every data command takes ``--json``; state changes take ``--key`` (an idempotency key; a repeat returns
the first result) and ``--actor`` (who acts, recorded in the audit log). Errors print one line (a
rejected file: one line per bad row) and exit non-zero.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette.errors import GazetteError

Json = Annotated[bool, typer.Option("--json", help="print JSON")]
Actor = Annotated[str, typer.Option("--actor", help="who acts (recorded in the audit log)")]
Key = Annotated[str, typer.Option("--key", help="idempotency key: a repeat returns the first result")]
assess = typer.Typer(help="失能等级评定：信息采集、专家指派、专家复评（双盲）。Assessment: collect, assign, score, show.",
                     no_args_is_help=True)


def _out(data: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    for r in rows:
        for k, v in r.items():
            if isinstance(v, (dict, list)):
                v = json.dumps(v, ensure_ascii=False, default=str)
            typer.echo(f"{k}: {v}")
        if isinstance(data, list):
            typer.echo("")


def _run(fn, *args, as_json: bool = False, **kw) -> None:
    """Call a service; a rejected file prints each bad row (row, column, message) before exiting 1."""
    try:
        out = fn(*args, **kw)
    except GazetteError as exc:
        for e in exc.details.get("errors", [])[:200]:
            sys.stderr.write(f"第 {e['row']} 行 row {e['row']} [{e['column']}] {e['message_zh']} / {e['message_en']}\n")
        raise
    _out(out, as_json)


def _items(text: str, file: Path | None) -> dict[str, str]:
    from gazette.errors import InvalidInput

    if file is not None:
        return json.loads(file.read_text(encoding="utf-8"))
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        k, sep, v = part.partition("=")
        if not sep:
            raise InvalidInput(f"评分应写作 项目=分值：{part}", f"write scores as item=points: {part}", field="items")
        out[k.strip()] = v.strip()
    return out


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def register(app: typer.Typer) -> None:
    """Add this half's commands to the ``gazette ltc`` group."""
    app.add_typer(assess, name="assess")

    @app.command("import")
    def import_(file: Annotated[Path, typer.Argument(help=".csv or .xlsx (header row)")],
                kind: Annotated[str, typer.Option("--kind", help="roster | discharge | disability | dibao | death")],
                batch: Annotated[str, typer.Option("--batch", help="batch name (source of every row)")],
                key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """导入医保参保花名册或部门名单（逐行校验，有错整份不导入）。Import a roster or a department's list."""
        from jiaxing.schemes.ltc import intake_service

        data = file.read_bytes()
        k = key or f"{kind}-{batch}-" + hashlib.sha256(data).hexdigest()[:16]
        if kind == "roster":
            _run(intake_service.import_roster, data, file.name, batch, key=k, actor=actor, as_json=as_json)
        else:
            _run(intake_service.import_list, kind, data, file.name, batch, key=k, actor=actor, as_json=as_json)

    @app.command("fund")
    def fund(year: Annotated[int, typer.Option("--year")], batch: Annotated[str, typer.Option("--batch")],
             key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """年度筹资（一.（二）：每人 120 元 = 个人 30 + 统筹划转或财政补助 90）。Post a year's funding."""
        from jiaxing.schemes.ltc import intake_service

        _run(intake_service.fund, year, batch, key=key or f"fund-{year}-{batch}", actor=actor, as_json=as_json)

    @app.command("duplicates")
    def duplicates(clear: Annotated[int | None, typer.Option("--clear", help="duplicate id to clear")] = None,
                   keep: Annotated[str, typer.Option("--keep", help="employee | resident")] = "",
                   key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """重复参保：列出，或清理一条（保留一个险种）。List duplicate enrolments, or clear one."""
        from jiaxing.schemes.ltc import intake_roster, intake_service

        if clear is not None:
            _run(intake_service.clear_duplicate, clear, keep, key=key or f"clear-{clear}", actor=actor, as_json=as_json)
            return
        with _uow() as s:
            _out(intake_roster.duplicates(s), as_json)

    @app.command("population")
    def population(district: Annotated[str, typer.Option("--district")], year: Annotated[int, typer.Option("--year")],
                   registered: Annotated[int, typer.Option("--registered", help="户籍人口")],
                   source: Annotated[str, typer.Option("--source", help="where the figure comes from")],
                   key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """户籍人口（参保率的分母，参考数据）。Registered population of a district (reference data)."""
        from jiaxing.schemes.ltc import intake_service

        _run(intake_service.set_population, district, year, registered, source, key=key or f"pop-{district}-{year}-{registered}",
             actor=actor, as_json=as_json)

    @app.command("discover")
    def discover(on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD (today)")] = "", key: Key = "",
                 actor: Actor = "operator", as_json: Json = False) -> None:
        """主动发现（三.（三）.8 要我申请）：名单比对参保人员，生成提醒。Find candidates and remind them."""
        from jiaxing.schemes.ltc import intake_service

        _run(intake_service.discover, on or None, key=key or f"discover-{on or 'today'}", actor=actor, as_json=as_json)

    @app.command("candidates")
    def candidates(district: Annotated[str, typer.Option("--district")] = "", as_json: Json = False) -> None:
        """待提醒申请的人员及其来源行。Candidates (要我申请) with the rows that made them."""
        from jiaxing.schemes.ltc import intake_discovery

        with _uow() as s:
            _out(intake_discovery.candidates(s, district=district or None), as_json)

    @app.command("apply")
    def apply(person: Annotated[str, typer.Argument(help="身份证号码")],
              channel: Annotated[str, typer.Option("--channel", help="desk | online_self | online_agent")] = "desk",
              kind: Annotated[str, typer.Option("--kind", help="first | reassessment")] = "first",
              agent: Annotated[str, typer.Option("--agent", help="代办人姓名")] = "",
              relation: Annotated[str, typer.Option("--relation", help="代办人与申请人关系")] = "",
              provider: Annotated[str, typer.Option("--provider", help="选择或所在的定点护理机构")] = "",
              dementia_unit: Annotated[bool, typer.Option("--dementia-unit", help="在失智专区")] = False,
              on: Annotated[str, typer.Option("--on", help="application date (today)")] = "",
              key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """申请失能等级评估（窗口受理、本人或家属网上申请）。Apply for an assessment."""
        from jiaxing.schemes.ltc import intake_service

        _run(intake_service.apply, {"person_id": person, "channel": channel, "kind": kind, "agent_name": agent,
                        "agent_relation": relation, "provider": provider, "dementia_unit": dementia_unit,
                        "applied_on": on or None}, key=key or f"apply-{person}-{on or 'today'}-{kind}", actor=actor,
             as_json=as_json)

    @app.command("applications")
    def applications(district: Annotated[str, typer.Option("--district")] = "",
                     status: Annotated[str, typer.Option("--status")] = "", as_json: Json = False) -> None:
        """申请及等待天数、评定结果。Applications, waiting days and result notices."""
        from jiaxing.schemes.ltc import intake_applications

        with _uow() as s:
            _out(intake_applications.applications(s, district=district or None, status=status or None), as_json)

    @app.command("experts")
    def experts(add: Annotated[str, typer.Option("--add", help="username of a new expert")] = "",
                name: Annotated[str, typer.Option("--name")] = "",
                title: Annotated[str, typer.Option("--title", help="junior|intermediate|associate_senior|senior")] = "",
                unit: Annotated[str, typer.Option("--unit")] = "",
                district: Annotated[str, typer.Option("--district", help="county pool (empty: city pool)")] = "",
                key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
        """专家库：列出或添加。The expert pool: list or add."""
        from sqlalchemy import select

        from jiaxing.schemes.ltc import intake_assessment, intake_service
        from jiaxing.schemes.ltc.intake_models import Expert

        if add:
            _run(intake_service.add_expert, {"username": add, "name": name, "title": title, "unit": unit,
                                 "district": district or None}, key=key or f"expert-{add}", actor=actor,
                 as_json=as_json)
            return
        with _uow() as s:
            _out([intake_assessment.expert_view(e) for e in s.scalars(select(Expert).order_by(Expert.id))], as_json)

    @app.command("reassess")
    def reassess(on: Annotated[str, typer.Option("--on", help="YYYY-MM-DD (today)")] = "", key: Key = "",
                 actor: Actor = "operator", as_json: Json = False) -> None:
        """定期复评：为到期的待遇人员生成复评申请。Open the reassessments that are due."""
        from jiaxing.schemes.ltc import intake_service

        _run(intake_service.schedule, on or None, key=key or f"reassess-{on or 'today'}", actor=actor, as_json=as_json)

    @app.command("dashboard")
    def dashboard(district: Annotated[str, typer.Option("--district")] = "",
                  csv: Annotated[Path | None, typer.Option("--csv", help="write the CSV export here")] = None,
                  as_json: Json = False) -> None:
        """驾驶舱（三.（四）.11）：参保率、申请与等待、待遇人员，对照 2024 年目标。The cockpit."""
        from jiaxing.schemes.ltc import intake_dashboard

        with _uow() as s:
            dash = intake_dashboard.dashboard(s, district=district or None)
        if csv is not None:
            csv.write_text(intake_dashboard.to_csv(dash), encoding="utf-8")
        if as_json:
            _out(dash, True)
            return
        t = dash["totals"]
        typer.echo(f"参保人数 insured {t['insured']} · 待遇人员 beneficiaries {t['beneficiaries']} / 目标 "
                   f"{dash['targets']['beneficiaries']} · 申请 applications {t['applications']} (在办 open "
                   f"{t['open_applications']}) · 平均等待 average wait {t['average_wait_days'] or '—'} 天 days")
        for e in dash["enrolment"]:
            typer.echo(f"  {e['district']}: {e['insured']} / {e['registered'] or '?'} = {e['rate'] or '未知 unknown'}"
                       f"（目标 {dash['targets']['enrolment_rate']}）")


@assess.command("collect")
def collect(application: Annotated[int, typer.Argument(help="application id")],
            items: Annotated[str, typer.Option("--items", help="feeding=5,bathing=0,… (every item)")] = "",
            items_file: Annotated[Path | None, typer.Option("--items-file", help="JSON {item: points}")] = None,
            unit: Annotated[str, typer.Option("--unit", help="the assessor's unit")] = "",
            on: Annotated[str, typer.Option("--on")] = "", key: Key = "", actor: Actor = "assessor",
            as_json: Json = False) -> None:
    """镇街信息采集（评估员）；系统自动初评并抽取两位专家。Record the form; the system scores it and draws experts."""
    from jiaxing.schemes.ltc import intake_service

    _run(intake_service.collect, application, _items(items, items_file), key=key or f"collect-{application}", actor=actor,
         assessor_unit=unit, on=on or None, as_json=as_json)


@assess.command("assign")
def assign(application: Annotated[int, typer.Argument()], expert: Annotated[str, typer.Option("--expert")],
           key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
    """人工指派专家（同一专家不得指派两次）。Assign an expert by hand."""
    from jiaxing.schemes.ltc import intake_service

    _run(intake_service.assign, application, expert, key=key or f"assign-{application}-{expert}", actor=actor, as_json=as_json)


@assess.command("score")
def score(application: Annotated[int, typer.Argument()],
          items: Annotated[str, typer.Option("--items")] = "",
          items_file: Annotated[Path | None, typer.Option("--items-file")] = None,
          on: Annotated[str, typer.Option("--on")] = "", key: Key = "",
          actor: Annotated[str, typer.Option("--actor", help="the expert's username")] = "",
          as_json: Json = False) -> None:
    """县级专家复评（双盲）：以专家身份提交评分。Score blind, as the expert (--actor)."""
    from jiaxing.schemes.ltc import intake_service

    _run(intake_service.score, application, _items(items, items_file), key=key or f"score-{application}-{actor}", actor=actor,
         on=on or None, as_json=as_json)


@assess.command("show")
def show(application: Annotated[int, typer.Argument()],
         viewer: Annotated[str, typer.Option("--as", help="read as this user (an expert sees only their seat)")] = "",
         expert: Annotated[bool, typer.Option("--expert", help="the viewer is an expert")] = False,
         as_json: Json = False) -> None:
    """申请、采集表和专家席位（双盲：评分全部提交前不显示任何评分）。Application, form and seats (blind)."""
    from jiaxing.schemes.ltc import intake_applications, intake_assessment

    with _uow() as s:
        out = {"application": intake_applications.application_view(s, intake_applications.get(s, application)),
               "form": intake_assessment.form_view(s, application, for_expert=expert),
               "seats": intake_assessment.seats(s, application, viewer=viewer or "-", is_expert=expert)}
    _out(out, as_json)
