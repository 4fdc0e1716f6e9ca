"""``gazette ltc …`` commands of the care half: ``plan``, ``visits``, ``settle``, ``screen`` (each data
command with ``--json``). Money in yuan; state changes take ``--key`` (a repeat returns the first
result); runs are keyed by (run, month) and can be rerun safely."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jiaxing.schemes.ltc.care import service as care_service

Json = Annotated[bool, typer.Option("--json", help="print JSON")]
Actor = Annotated[str, typer.Option("--actor", help="who acts (recorded in the audit log)")]
Key = Annotated[str, typer.Option("--key", help="idempotency key: a repeat returns the first result")]
Month = Annotated[str, typer.Argument(help="YYYY-MM")]

plan_app = typer.Typer(help="护理计划与服务目录（三.（二）.6）。Care plans and the service catalogue.", no_args_is_help=True)
visits_app = typer.Typer(help="护理服务记录：签到、签出、机构按日。Visits: check-in, check-out, institutional days.",
                         no_args_is_help=True)
settle_app = typer.Typer(help="月度结算与支付（一.（二））。Monthly settlement and payment.", no_args_is_help=True)
screen_app = typer.Typer(help="疑似违规规则库筛查（三.（四）.12）。Violation screening and review.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this half's commands to the ``gazette ltc`` group."""
    app.add_typer(plan_app, name="plan")
    app.add_typer(visits_app, name="visits")
    app.add_typer(settle_app, name="settle")
    app.add_typer(screen_app, name="screen")
    app.command("correct")(correct)


def _out(data, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    for k, v in data.items():
        typer.echo(f"{k}: {json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v}")


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _key(key: str, *parts) -> str:
    return key or "cli:" + ":".join(str(p) for p in parts)


def _run_summary(run) -> dict:
    out = {"run_type": run.run_type, "period": run.period, "status": run.status, "attempts": run.attempts,
           **(run.result or {})}
    if run.already_completed:
        out["already_completed"] = True
    return out


@plan_app.command("init")
def init(as_json: Json = False) -> None:
    """装入演示服务目录（DEMO）、违规规则库，开设结算账本。Load the DEMO catalogue, the rule library, the book."""
    from jiaxing.schemes.ltc.care import service

    with _uow() as s:
        _out(service.setup(s), as_json)


@plan_app.command("catalogue")
def show_catalogue(on: Annotated[str, typer.Option("--on", help="date YYYY-MM-DD")] = "2023-01-01",
                   as_json: Json = False) -> None:
    """某日生效的服务目录（演示目录）。The service catalogue in force on a date (DEMO)."""
    from gazette import validate
    from jiaxing.schemes.ltc.care import catalogue

    with _uow() as s:
        items = catalogue.items_on(s, validate.date(on, "on"))
    rows = [{"code": c, "name": i["name"], "category": catalogue.CATEGORY_ZH[i["category"]],
             "price": f"{i['price_fen'] / 100:.2f}", "min_minutes": i["min_minutes"], "version": i["version"]}
            for c, i in items.items()]
    _out({"on": on, "items": len(rows), "catalogue": rows, "note": catalogue.SOURCE}, as_json)


@plan_app.command("provider")
def provider(code: str, name: str, district: str, care_type: str,
             dementia_unit: Annotated[bool, typer.Option("--dementia-unit")] = False,
             designated_on: Annotated[str, typer.Option("--designated-on")] = "2022-01-01",
             key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
    """登记定点护理机构（care_type: elderly_institution / medical_institution / home）。Register a provider."""
    from jiaxing.schemes.ltc.care import service

    _out(service.register_provider({"code": code, "name": name, "district": district, "care_type": care_type,
                                    "dementia_unit": dementia_unit, "designated_on": designated_on},
                                   key=_key(key, "provider", code), actor=actor), as_json)


@plan_app.command("caregiver")
def caregiver(provider: str, name: str, certificate: str, key: Key = "", actor: Actor = "operator",
              as_json: Json = False) -> None:
    """登记护理员（持证）。Register a certified caregiver."""
    from jiaxing.schemes.ltc.care import service

    _out(service.register_caregiver({"provider": provider, "name": name, "certificate": certificate},
                                    key=_key(key, "caregiver", certificate), actor=actor), as_json)


@plan_app.command("choose")
def choose(person_id: str, provider: str, starts_on: str,
           items: Annotated[str, typer.Option("--items", help="item codes, comma separated: S01,M01")],
           key: Key = "", actor: Actor = "operator", as_json: Json = False) -> None:
    """选择护理机构和服务项目（护理计划，每月 1 日起生效）。Choose the provider and the items of a care plan."""
    from jiaxing.schemes.ltc.care import service

    _out(service.choose_plan({"person_id": person_id, "provider": provider, "starts_on": starts_on, "items": items},
                             key=_key(key, "plan", person_id, starts_on), actor=actor), as_json)


@plan_app.command("providers")
def providers(district: Annotated[str, typer.Option("--district")] = "", as_json: Json = False) -> None:
    """可选择的定点机构：星级评价与服务项目（三.（二）.7）。Providers with their stars and items."""
    from jiaxing.schemes.ltc.care import queries

    with _uow() as s:
        _out({"providers": queries.providers_for_choosing(s, district or None)}, as_json)


@visits_app.command("checkin")
def checkin(certificate: str, person_id: str, at: str, lat: Annotated[str, typer.Option("--lat")] = "",
            lon: Annotated[str, typer.Option("--lon")] = "", face: Annotated[str, typer.Option("--face")] = "",
            key: Key = "", actor: Actor = "caregiver", as_json: Json = False) -> None:
    """居家服务签到（时间、位置、人脸验证 pass/fail）。Check in to a home visit."""
    from jiaxing.schemes.ltc.care import service

    _out(service.check_in({"certificate": certificate, "person_id": person_id, "at": at, "lat": lat, "lon": lon,
                           "face": face}, key=_key(key, "in", certificate, at), actor=actor), as_json)


@visits_app.command("checkout")
def checkout(visit_id: str, at: str, items: Annotated[str, typer.Option("--items")], key: Key = "",
             actor: Actor = "caregiver", as_json: Json = False) -> None:
    """居家服务签出并记录完成的项目。Check out and record the items done."""
    from jiaxing.schemes.ltc.care import service

    _out(service.check_out({"visit_id": visit_id, "at": at, "items": items}, key=_key(key, "out", visit_id, at),
                           actor=actor), as_json)


@visits_app.command("day")
def day(person_id: str, on: str, items: Annotated[str, typer.Option("--items")], key: Key = "",
        actor: Actor = "provider", as_json: Json = False) -> None:
    """机构护理按日记录。Record a day of institutional care."""
    from jiaxing.schemes.ltc.care import service

    _out(service.record_day({"person_id": person_id, "day": on, "items": items}, key=_key(key, "day", person_id, on),
                            actor=actor), as_json)


@settle_app.command("run")
def settle_run(month: Month, as_json: Json = False, actor: Actor = "operator") -> None:
    """结算某月（按机构、按月幂等；重跑不重复支付）。Settle a month (idempotent per provider and month)."""
    from gazette import validate
    from jiaxing.schemes.ltc.care import settlement

    _out(_run_summary(settlement.settle(validate.month(month), actor=actor)), as_json)


@settle_app.command("pay")
def settle_pay(month: Month, as_json: Json = False, actor: Actor = "operator") -> None:
    """支付已结算的机构申报（应付 → 已付）。Pay the settled claims."""
    from gazette import validate
    from jiaxing.schemes.ltc.care import settlement

    _out(_run_summary(settlement.pay(validate.month(month), actor=actor)), as_json)


def correct(provider: Annotated[str, typer.Argument(help="provider code")], month: Month,
            amount: Annotated[str, typer.Argument(help="yuan: positive owed to the provider, negative recovered")],
            reason: Annotated[str, typer.Option("--reason")],
            clause: Annotated[str, typer.Option("--clause", help="the clause cited, e.g. 嘉政发〔2022〕21号#一.（二）")],
            key: Annotated[str, typer.Option("--key", help="idempotency key (required: a repeat returns the first "
                                                          "result)")],
            district: Annotated[str, typer.Option("--district", help="the officer's district")] = "",
            actor: Actor = "officer", as_json: Json = False) -> None:
    """更正已支付的结算单：新记一笔，下次支付时补付或追回。Correct a paid claim (a new entry, D-LTC-C3)."""
    _out(care_service.correct({"provider": provider, "month": month, "amount": amount, "reason": reason,
                          "clause": clause}, key=key, actor=actor, district=district or None), as_json)


@settle_app.command("statement")
def settle_statement(person_id: str, as_json: Json = False) -> None:
    """个人结算单：费用、限额、基金支付、个人负担。A person's statement."""
    from gazette import validate
    from jiaxing.schemes.ltc.care import queries

    with _uow() as s:
        _out(queries.statement(s, validate.person_id(person_id)), as_json)


@settle_app.command("provider")
def settle_provider(provider_id: int, as_json: Json = False) -> None:
    """机构结算申报单、疑点与评价。A provider's claims, findings and ratings."""
    from jiaxing.schemes.ltc.care import queries

    with _uow() as s:
        _out(queries.provider_view(s, provider_id), as_json)


@screen_app.command("run")
def screen_run(month: Month, seed: Annotated[int | None, typer.Option("--seed")] = None, as_json: Json = False,
               actor: Actor = "operator") -> None:
    """按规则库筛查某月服务并抽取随机复核样本（种子记录在案）。Screen a month and draw the review sample."""
    from gazette import validate
    from jiaxing.schemes.ltc.care import violations

    _out(_run_summary(violations.screen(validate.month(month), seed=seed, actor=actor)), as_json)


@screen_app.command("queue")
def screen_queue(district: Annotated[str, typer.Option("--district")] = "", as_json: Json = False) -> None:
    """待处理的疑点（经办人员复核）。Findings waiting for review."""
    from jiaxing.schemes.ltc.care import queries

    with _uow() as s:
        _out(queries.review_queue(s, district or None), as_json)


@screen_app.command("decide")
def screen_decide(finding_id: str, decision: Annotated[str, typer.Argument(help="confirm | dismiss")],
                  note: Annotated[str, typer.Option("--note")] = "", district: Annotated[str, typer.Option(
                      "--district", help="the officer's district")] = "", key: Key = "", actor: Actor = "officer",
                  as_json: Json = False) -> None:
    """确认或排除疑点；确认的在下月结算中核减。Confirm or dismiss a finding."""
    from jiaxing.schemes.ltc.care import service

    _out(service.decide({"finding_id": finding_id, "decision": decision, "note": note},
                        key=_key(key, "decide", finding_id), actor=actor, district=district or None), as_json)


@screen_app.command("rules")
def screen_rules(as_json: Json = False) -> None:
    """疑似违规行为规则库（编号、条款、严重程度）。The violation rule library."""
    from jiaxing.schemes.ltc.care.violations import RULES, SEVERITY_ZH

    _out({"rules": [{"id": r.id, "clause": r.clause, "severity": SEVERITY_ZH[r.severity], "title_zh": r.title_zh,
                     "title_en": r.title_en} for r in RULES]}, as_json)
