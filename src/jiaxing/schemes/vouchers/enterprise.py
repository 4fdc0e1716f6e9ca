"""Enterprise flow (企业奖补): applications for the enterprise clauses of 嘉政办发〔2022〕46号,
47号 and 10号, review, 免申即享 offers, confirmation and payment.

Every amount comes from the rules engine, with its clause and explanation; an ineligible
application is refused with the failed conditions. The scheme rules hold in the database:

* one live application per (enterprise, award group, period) — a partial unique index; the award
  group is the clause itself or, for 47号's "所列奖励条款不得重复享受", its exclusive group
  (decision V5: at most one of the listed rewards per enterprise and year);
* one payment per application, per (enterprise, clause, period) and per (enterprise, award
  group, period) — unique constraints on ``vch_payments``;
* ``amount_fen <= cap_fen`` (CHECK) where the clause sets a per-enterprise cap.

Ledger (book ``vouchers``): approval 借 ``reward:<clause>`` (expense) / 贷 ``payable:<enterprise>``
(liability, guarded); payment 借 ``payable:<enterprise>`` / 贷 ``treasury`` (asset, the fiscal
disbursement account, may go negative: it is the running total paid out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from gazette import validate
from gazette.ledger import Ledger, audit, execute_run
from gazette.ledger._sql import dialect_insert
from gazette.ledger.money import fen_to_yuan, yuan_to_fen
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.vouchers import errors
from jiaxing.schemes.vouchers.commands import (
    ApproveApplication,
    ConfirmOffer,
    PayApplication,
    SubmitApplication,
    run,
)
from jiaxing.schemes.vouchers.models import LIVE_APPLICATION, Application, EnterpriseProfile, Payment
from jiaxing.schemes.vouchers.programmes import BOOK, engine
from jiaxing.schemes.vouchers.service import _business_date, _now, parse_date

A = Application.__table__
DOCUMENTS = ("嘉政办发〔2022〕46号", "嘉政办发〔2022〕47号", "嘉政办发〔2022〕10号")
SUBJECT_ENTITIES = {"enterprise", "loan", "certification"}
# Clauses with a per-enterprise cap in the text: the cap parameter, checked again by the database.
CAP_PARAMS = {
    "嘉政办发〔2022〕47号#二": "nev.car_show.cap",
    "嘉政办发〔2022〕47号#四": "nev.new_company.investment_cap",
    "嘉政办发〔2022〕46号#二": "appliances.promotion.cap",
}
TREASURY = "treasury"


def clauses() -> dict[str, Any]:
    """The enterprise clauses one can apply for: rule id → rule."""
    return {r.id: r for r in engine().rules
            if r.id.startswith(DOCUMENTS) and r.kind == "benefit" and r.entity in SUBJECT_ENTITIES}


def _rule(clause: Any):
    known = clauses()
    if not isinstance(clause, str) or clause not in known:
        raise errors.not_enterprise_clause(str(clause), sorted(known))
    return known[clause]


def _check_enterprise_id(eid: Any, field: str = "enterprise_id") -> str:
    """The canonical unified social credit code (gazette.validate.enterprise_id)."""
    return validate.enterprise_id(eid, field)


def period_of(rule, on: dt.date) -> str:
    if rule.exclusive_group or rule.period == "year":
        return str(on.year)
    if rule.period == "month":
        return on.strftime("%Y-%m")
    return "once"


def award_group(rule) -> str:
    return rule.exclusive_group or rule.id


def _cap(clause: str, on: dt.date) -> int | None:
    pid = CAP_PARAMS.get(clause)
    if pid is None:
        return None
    value, _ = engine().params.get(pid).at(on)
    return int(value) if value is not None else None


def _situation(rule, enterprise_id: str, facts: dict, subject: dict | None) -> tuple[dict, str]:
    eng = engine()
    sit: dict[str, Any] = {"enterprises": {enterprise_id: facts}}
    if rule.entity == "enterprise":
        return sit, enterprise_id
    ent = eng.entities[rule.entity]
    if not isinstance(subject, dict):
        raise errors.invalid("subject_required", f"条款 {rule.id} 需要提供 {rule.entity} 的信息（subject）",
                        f"clause {rule.id} needs the facts of the {rule.entity} (subject)", "subject")
    link = next(v.name for v in ent.variables if v.type == "ref" and v.target == "enterprise")
    sit[ent.plural] = {"subject": {**subject, link: enterprise_id}}
    return sit, "subject"


def evaluate(rule, enterprise_id: str, facts: Any, subject: Any, on: dt.date) -> tuple[int, list, dict]:
    """Ask the engine: (amount in fen, explanation, result); raise ``not_eligible`` otherwise."""
    if not isinstance(facts, dict):
        raise errors.invalid("invalid_facts", "企业信息应为对象", "facts must be an object", "facts")
    sit, who = _situation(rule, enterprise_id, facts, subject)
    res = engine().calculate(sit, on, rule_ids={rule.id}, explain=True)
    r = next(x for x in res["results"] if x["rule"] == rule.id and x["entity"] == who)
    failed = [{k: c.get(k) for k in ("id", "text_zh", "text_en", "facts", "reference", "nearest_text_zh") if c.get(k)}
              for c in r["explanation"] if c.get("kind") in ("condition", "validity") and c.get("status") == "fail"]
    if r["status"] != "eligible":
        raise errors.not_eligible(rule.id, failed, r.get("missing_facts", []), "facts")
    fen = yuan_to_fen(r["amount_yuan"])
    if fen <= 0:
        raise errors.not_eligible(rule.id, [{"id": "amount", "text_zh": "计算金额为零", "text_en": "the amount is zero"}], [],
                             "facts")
    return fen, r["explanation"], r


def application_json(a: Application, **over) -> dict[str, Any]:
    out = {
        "application_id": a.id, "enterprise_id": a.enterprise_id, "clause": a.clause, "award_group": a.award_group,
        "period": a.period, "status": a.status, "source": a.source, "on": a.on_date.isoformat(),
        "amount_yuan": fen_to_yuan(a.amount_fen), "cap_yuan": fen_to_yuan(a.cap_fen) if a.cap_fen is not None else None,
        "evidence": a.evidence, "reason": a.reason,
    }
    out.update(over)
    return out


# ---------------------------------------------------------------------------------- enterprise data


def load_enterprises(session: Session, records: Any, actor: str = "system") -> dict[str, Any]:
    """Load or update enterprise data (for 免申即享): ``[{"id", "name", "district", "facts"}]``.
    Every record is validated against the pack's variables before anything is written."""
    if not isinstance(records, list):
        raise errors.invalid("invalid_enterprises", "企业数据应为列表", "enterprise data must be a list", "enterprises")
    clean = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise errors.invalid("invalid_enterprises", f"第 {i + 1} 条不是对象", f"record {i} is not an object", f"enterprises[{i}]")
        eid = _check_enterprise_id(rec.get("id"), f"enterprises[{i}].id")
        name = rec.get("name") or eid
        facts = rec.get("facts") or {}
        if not isinstance(facts, dict) or not isinstance(name, str):
            raise errors.invalid("invalid_enterprises", f"第 {i + 1} 条格式不正确", f"record {i} is malformed", f"enterprises[{i}]")
        engine().frames_from_situation({"enterprises": {eid: facts}})  # raises invalid_input on a bad fact
        clean.append({"id": eid, "name": name, "district": rec.get("district") or facts.get("district"), "facts": facts})
    for rec in clean:
        stmt = dialect_insert(session, EnterpriseProfile.__table__).values(**rec, updated_at=_now())
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={
            "name": stmt.excluded.name, "district": stmt.excluded.district, "facts": stmt.excluded.facts,
            "updated_at": stmt.excluded.updated_at})
        session.execute(stmt)
    audit.record(session, actor=actor, action="enterprises.loaded", entity_type="enterprise", entity_id="*",
                 after={"count": len(clean), "ids": [r["id"] for r in clean][:100]})
    return {"loaded": len(clean)}


# ---------------------------------------------------------------------------------- applications


def _insert_application(session: Session, *, rule, enterprise_id: str, on: dt.date, amount: int, status: str,
                        source: str, facts: dict, subject: dict | None, evidence: list, explanation: list) -> int | None:
    now = _now()
    stmt = (
        dialect_insert(session, A)
        .values(enterprise_id=enterprise_id, clause=rule.id, award_group=award_group(rule), period=period_of(rule, on),
                status=status, source=source, on_date=on, amount_fen=amount, cap_fen=_cap(rule.id, on), facts=facts,
                subject=subject, evidence=evidence, explanation=explanation, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["enterprise_id", "award_group", "period"],
                                index_where=text(LIVE_APPLICATION))
        .returning(A.c.id)
    )
    return session.execute(stmt).scalar()


def submit(session: Session, *, enterprise_id: str, clause: str, facts: dict, key: str, subject: dict | None = None,
           evidence: list | None = None, on: Any = None, actor: str | None = None) -> dict[str, Any]:
    """Submit an application (申请) for one clause; the engine computes the amount with citations."""
    enterprise_id = _check_enterprise_id(enterprise_id)
    rule = _rule(clause)
    evidence = evidence or []
    if not isinstance(evidence, list) or not all(isinstance(x, str) and 0 < len(x) <= 500 for x in evidence):
        raise errors.invalid("invalid_evidence", "证明材料应为文本列表", "evidence must be a list of strings", "evidence")
    day = parse_date(on, "on") if on is not None else None
    return run(SubmitApplication(idempotency_key=key, actor=actor or enterprise_id, enterprise_id=enterprise_id,
                                 clause=rule.id, facts=facts, subject=subject, evidence=tuple(evidence), on=day),
               session)


@handles(SubmitApplication)
def _submit(ctx: Context, cmd: SubmitApplication) -> dict[str, Any]:
    session, rule, enterprise_id, facts, subject = ctx.session, _rule(cmd.clause), cmd.enterprise_id, cmd.facts, cmd.subject
    evidence, day = list(cmd.evidence), cmd.on
    today = _business_date(session)
    d = day or today
    if d > today:
        raise errors.invalid("invalid_date", f"评估日期 {d} 晚于当前业务日期 {today}", f"evaluation date {d} is after today ({today})",
                        "on")
    if not rule.in_window(d):
        raise errors.window_closed("申请", d, rule.valid_from, rule.valid_to or "—", "on")
    amount, explanation, r = evaluate(rule, enterprise_id, facts, subject, d)
    aid = _insert_application(session, rule=rule, enterprise_id=enterprise_id, on=d, amount=amount,
                              status="submitted", source="application", facts=facts, subject=subject,
                              evidence=evidence, explanation=explanation)
    if aid is None:
        raise errors.already_applied(enterprise_id, award_group(rule), period_of(rule, d))
    ctx.audit("application.submitted", "application", aid,
              after={"status": "submitted", "clause": rule.id, "amount_fen": amount})
    return {"application_id": aid, "enterprise_id": enterprise_id, "clause": rule.id, "title_zh": rule.title_zh,
            "award_group": award_group(rule), "period": period_of(rule, d), "status": "submitted",
            "source": "application", "on": d.isoformat(), "amount_yuan": fen_to_yuan(amount),
            "cap_yuan": fen_to_yuan(_cap(rule.id, d)) if _cap(rule.id, d) is not None else None,
            "references": r["references"], "evidence": evidence, "explanation": explanation}


def _lock(session: Session, aid: Any) -> Application:
    if isinstance(aid, bool) or not isinstance(aid, int) or aid <= 0:
        raise errors.invalid("invalid_application_id", "申请编号应为正整数", "application_id must be a positive integer",
                        "application_id")
    a = session.execute(select(Application).where(Application.id == aid).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one_or_none()
    if a is None:
        raise errors.application_not_found(aid)
    return a


def _move(session: Session, a: Application, to: str, actor: str, action: str, **values) -> None:
    session.execute(update(Application).where(Application.id == a.id).values(status=to, updated_at=_now(), **values))
    audit.record(session, actor=actor, action=action, entity_type="application", entity_id=a.id,
                 before={"status": a.status}, after={"status": to, **{k: v for k, v in values.items()}})


def start_review(session: Session, *, application_id: int, actor: str = "reviewer") -> dict[str, Any]:
    """submitted → under_review (受理审核). Repeating it is harmless."""
    a = _lock(session, application_id)
    if a.status == "under_review":
        return application_json(a)
    if a.status != "submitted":
        raise errors.wrong_status("申请", a.id, a.status, ("submitted",), "application_not_reviewable")
    _move(session, a, "under_review", actor, "application.review_started")
    return application_json(a, status="under_review")


def reject(session: Session, *, application_id: int, reason: str, actor: str = "reviewer") -> dict[str, Any]:
    """submitted / under_review → rejected, with a reason (驳回)."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        raise errors.invalid("reason_required", "驳回必须说明理由", "a rejection needs a reason", "reason")
    a = _lock(session, application_id)
    if a.status == "rejected":
        return application_json(a)
    if a.status not in ("submitted", "under_review"):
        raise errors.wrong_status("申请", a.id, a.status, ("submitted", "under_review"), "application_not_reviewable")
    _move(session, a, "rejected", actor, "application.rejected", reason=reason)
    return application_json(a, status="rejected", reason=reason)


def _approve(session: Session, a: Application, actor: str, action: str) -> int:
    lg = Ledger(BOOK, actor=actor)
    lg.open_account(session, f"reward:{a.clause}", f"企业奖补支出 {a.clause}", "expense", programme="enterprise")
    lg.open_account(session, f"payable:{a.enterprise_id}", f"应付企业奖补 {a.enterprise_id}", "liability",
                    programme="enterprise", owner=a.enterprise_id)
    e = lg.transfer(session, f"reward:{a.clause}", f"payable:{a.enterprise_id}", a.amount_fen,
                    key=f"application:{a.id}:approve", memo="企业奖补核定", data={"clause": a.clause, "application": a.id})
    _move(session, a, "approved", actor, action)
    return e.id


def approve(session: Session, *, application_id: int, key: str, actor: str = "reviewer") -> dict[str, Any]:
    """under_review → approved (核定): the amount becomes payable to the enterprise."""
    return run(ApproveApplication(idempotency_key=key, actor=actor, application_id=application_id), session)


@handles(ApproveApplication)
def _approve_command(ctx: Context, cmd: ApproveApplication) -> dict[str, Any]:
    a = _lock(ctx.session, cmd.application_id)
    if a.status != "under_review":
        raise errors.wrong_status("申请", a.id, a.status, ("under_review",), "application_not_approvable")
    eid = _approve(ctx.session, a, cmd.actor, "application.approved")
    return application_json(a, status="approved", entry_id=eid)


def confirm(session: Session, *, application_id: int, key: str, actor: str | None = None) -> dict[str, Any]:
    """免申即享: the enterprise confirms an offer → approved; payment follows."""
    return run(ConfirmOffer(idempotency_key=key, actor=actor or f"application:{application_id}", by=actor,
                            application_id=application_id), session)


@handles(ConfirmOffer)
def _confirm(ctx: Context, cmd: ConfirmOffer) -> dict[str, Any]:
    a = _lock(ctx.session, cmd.application_id)
    if a.status != "offered":
        raise errors.wrong_status("奖励通知", a.id, a.status, ("offered",), "offer_not_confirmable")
    eid = _approve(ctx.session, a, cmd.by or a.enterprise_id, "application.confirmed")
    return application_json(a, status="approved", entry_id=eid)


def decline(session: Session, *, application_id: int, actor: str | None = None) -> dict[str, Any]:
    a = _lock(session, application_id)
    if a.status == "declined":
        return application_json(a)
    if a.status != "offered":
        raise errors.wrong_status("奖励通知", a.id, a.status, ("offered",), "offer_not_confirmable")
    _move(session, a, "declined", actor or a.enterprise_id, "application.declined")
    return application_json(a, status="declined")


def _pay(session: Session, a: Application, actor: str, run_id: int | None = None) -> dict[str, Any]:
    day = _business_date(session)
    entry_key = f"application:{a.id}:pay"
    pid = session.execute(
        dialect_insert(session, Payment.__table__)
        .values(application_id=a.id, enterprise_id=a.enterprise_id, clause=a.clause, award_group=a.award_group,
                period=a.period, amount_fen=a.amount_fen, cap_fen=a.cap_fen, entry_key=entry_key, paid_on=day,
                created_at=_now())
        .on_conflict_do_nothing()
        .returning(Payment.id)
    ).scalar()
    if pid is None:
        raise errors.already_paid(a.enterprise_id, a.clause, a.period)
    lg = Ledger(BOOK, actor=actor)
    lg.open_account(session, TREASURY, "财政拨付", "asset", allow_negative=True)
    e = lg.transfer(session, f"payable:{a.enterprise_id}", TREASURY, a.amount_fen, key=entry_key,
                    memo="拨付企业奖补", data={"clause": a.clause, "application": a.id}, run_id=run_id)
    _move(session, a, "paid", actor, "application.paid")
    return application_json(a, status="paid", entry_id=e.id, payment_id=pid, paid_on=day.isoformat())


def pay(session: Session, *, application_id: int, key: str, actor: str = "treasury") -> dict[str, Any]:
    """approved → paid (拨付), once: the payment row's unique constraints and the row lock."""
    return run(PayApplication(idempotency_key=key, actor=actor, application_id=application_id), session)


@handles(PayApplication)
def _pay_command(ctx: Context, cmd: PayApplication) -> dict[str, Any]:
    a = _lock(ctx.session, cmd.application_id)
    if a.status != "approved":
        raise errors.wrong_status("申请", a.id, a.status, ("approved",), "application_not_payable")
    return _pay(ctx.session, a, cmd.actor)


def payment_run(*, period: str | None = None, uow=None, chunk_size: int = 200, actor: str = "treasury",
                on_unit=None):
    """The payment run (批量拨付), keyed ``("vouchers.payment", <day>)``: ``period`` is a date
    (``YYYY-MM-DD``, validated; default the business date, never after it). It pays what is due and
    unpaid — every approved application — once. A crashed run resumes to the clean state.

    An application approved after the day's run completed is paid by the next call: the day's
    later runs are keyed ``<day>#2``, ``<day>#3`` … and a call that finds nothing due returns the last
    completed run (``already_completed``). Concurrent calls are safe: they share the run key, and each
    application is locked and paid once.
    """
    from gazette.ledger.runs import get_run
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    with uow() as s:
        today = _business_date(s)
    day = today if period is None else validate.date(period, "period")
    if day > today:
        raise errors.invalid("invalid_date", f"拨付日期 {day} 晚于当前业务日期 {today}", f"payment date {day} is after today ({today})",
                        "period")
    seq, last = 1, None
    while True:
        period = day.isoformat() if seq == 1 else f"{day.isoformat()}#{seq}"
        with uow() as s:
            run = get_run(s, "vouchers.payment", period)
            due = s.scalar(select(Application.id).where(Application.status == "approved").limit(1)) is not None
        if run is None and last is not None and not due:
            return replace(last, already_completed=True)  # nothing due since the day's last run
        if run is None or not run.completed:
            break
        last, seq = run, seq + 1

    def units():
        with uow() as s:
            return list(s.execute(select(Application.id).where(Application.status == "approved")
                                  .order_by(Application.id)).scalars())

    def process(session: Session, chunk: list[int], ctx) -> dict[str, int]:
        paid = skipped = 0
        for aid in chunk:
            a = _lock(session, aid)
            if a.status != "approved":
                skipped += 1
                continue
            _pay(session, a, actor, run_id=ctx.run_id)
            paid += 1
            if on_unit:
                on_unit(aid)
        return {"paid": paid, "skipped": skipped}

    return execute_run("vouchers.payment", period, units, process, uow=uow, chunk_size=chunk_size, actor=actor)


# ---------------------------------------------------------------------------------- 免申即享


def no_apply_run(*, on: Any = None, uow=None, chunk_size: int = 500, actor: str = "system"):
    """免申即享 (no application needed), keyed ``("vouchers.no_apply", <date>)``: compare every
    enterprise's data with the enterprise clauses on ``on``; offer each eligible enterprise its
    reward (status ``offered``, amount and explanation from the engine). Rerunning offers nothing
    twice (the live-award unique index and a per-offer check)."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    if on is None:
        with uow() as s:
            day = _business_date(s)
    else:
        day = parse_date(on, "on")
    rules = {rid: r for rid, r in clauses().items() if r.entity == "enterprise" and r.in_window(day)}

    def units():
        with uow() as s:
            return list(s.execute(select(EnterpriseProfile.id).order_by(EnterpriseProfile.id)).scalars())

    def process(session: Session, chunk: list[str], ctx) -> dict[str, int]:
        profiles = {p.id: p for p in session.execute(
            select(EnterpriseProfile).where(EnterpriseProfile.id.in_(chunk))).scalars()}
        if not profiles or not rules:
            return {"offered": 0}
        sit = {"enterprises": {eid: p.facts for eid, p in profiles.items()}}
        res = engine().calculate(sit, day, rule_ids=set(rules), explain=False)
        offered = 0
        for r in sorted(res["results"], key=lambda x: (x["entity"], x["rule"])):
            if r["status"] != "eligible" or not r["amount_yuan"] or yuan_to_fen(r["amount_yuan"]) <= 0:
                continue
            rule = rules[r["rule"]]
            period = period_of(rule, day)
            seen = session.execute(select(Application.id).where(
                Application.enterprise_id == r["entity"], Application.clause == rule.id, Application.period == period,
                Application.source == "no_apply")).first()
            if seen:
                continue
            aid = _insert_application(session, rule=rule, enterprise_id=r["entity"], on=day,
                                      amount=yuan_to_fen(r["amount_yuan"]), status="offered", source="no_apply",
                                      facts=profiles[r["entity"]].facts, subject=None, evidence=[],
                                      explanation=[{"kind": "reference", "references": r["references"]}])
            if aid is None:
                continue  # the enterprise already applied (or was offered) for this award
            audit.record(session, actor=actor, action="application.offered", entity_type="application", entity_id=aid,
                         after={"status": "offered", "clause": rule.id, "amount_yuan": r["amount_yuan"],
                                "run_id": ctx.run_id})
            offered += 1
        return {"offered": offered}

    return execute_run("vouchers.no_apply", day.isoformat(), units, process, uow=uow, chunk_size=chunk_size,
                       actor=actor, business_date=None)


# ---------------------------------------------------------------------------------- queries


def get_application(session: Session, application_id: int) -> dict[str, Any]:
    a = session.get(Application, application_id)
    if a is None:
        raise errors.application_not_found(application_id)
    return {**application_json(a), "explanation": a.explanation, "facts": a.facts, "subject": a.subject}


def list_applications(session: Session, *, enterprise_id: str | None = None, status: str | None = None,
                      limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(Application).order_by(Application.id).limit(max(1, min(int(limit), 1000)))
    if enterprise_id:
        stmt = stmt.where(Application.enterprise_id == enterprise_id)
    if status:
        stmt = stmt.where(Application.status == status)
    return [application_json(a) for a in session.execute(stmt).scalars()]
