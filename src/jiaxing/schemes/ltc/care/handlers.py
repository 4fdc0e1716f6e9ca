"""What the care half's commands do (registered with ``@handles``; run through ``gazette.schemes.handler``).

Every refusal is a typed error naming the field; the handler's unit of work rolls back, so a refused
command writes nothing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.ledger import credit, debit
from gazette.ledger._sql import bulk_insert
from gazette.ledger.money import fen_to_yuan
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.ltc.care import catalogue, commands, settlement
from jiaxing.schemes.ltc.care.models import (
    CARE_TYPES,
    Caregiver,
    CarePlan,
    Claim,
    Correction,
    Finding,
    Provider,
    Rating,
    Visit,
    VisitItem,
)
from jiaxing.schemes.ltc.models import Beneficiary

SH = ZoneInfo("Asia/Shanghai")


def _provider(s: Session, code: str) -> Provider:
    p = s.scalar(select(Provider).where(Provider.code == code))
    if p is None:
        raise NotFound("定点护理机构", code, field="provider", what_en="designated provider")
    return p


def plan_on(s: Session, person_id: str, day: dt.date) -> CarePlan | None:
    return s.scalar(select(CarePlan).where(CarePlan.person_id == person_id, CarePlan.starts_on <= day,
                                           (CarePlan.ends_on.is_(None)) | (CarePlan.ends_on >= day))
                    .order_by(CarePlan.starts_on.desc()).limit(1))


def _active_plan(s: Session, person_id: str, day: dt.date) -> CarePlan | None:
    """The plan in force on ``day`` of a person whose benefit covers ``day`` (an ended benefit — death,
    reassessment, moving away — ends the care the fund pays for, whatever the plan says)."""
    b = s.scalar(select(Beneficiary).where(Beneficiary.person_id == person_id))
    if b is None or b.starts_on > day or (b.ends_on is not None and b.ends_on < day):
        return None
    return plan_on(s, person_id, day)


def _no_plan(person_id: str, day: dt.date) -> Conflict:
    return Conflict(f"{person_id} 在 {day} 没有有效的护理计划，不能记录服务",
                    f"{person_id} has no care plan in force on {day}: no visit can be recorded", field="person_id",
                    code="no_care_plan")


@handles(commands.RegisterProvider)
def register_provider(ctx: Context, cmd: commands.RegisterProvider) -> dict:
    if cmd.care_type not in CARE_TYPES:
        raise InvalidInput("护理类型应为养老机构、医疗机构或居家", "care type must be elderly_institution, "
                           "medical_institution or home", field="care_type")
    s = ctx.session
    if s.scalar(select(Provider.id).where(Provider.code == cmd.code)) is not None:
        raise Conflict(f"机构编码 {cmd.code} 已登记", f"provider {cmd.code} is already registered", field="code",
                       code="provider_exists")
    p = Provider(code=cmd.code, name=cmd.name, district=cmd.district, care_type=cmd.care_type,
                 dementia_unit=cmd.dementia_unit, designated_on=cmd.designated_on)
    s.add(p)
    s.flush()
    ctx.audit("ltc.provider.registered", "ltc_provider", p.id, after=cmd.body())
    return {"provider_id": p.id, "code": p.code}


@handles(commands.RegisterCaregiver)
def register_caregiver(ctx: Context, cmd: commands.RegisterCaregiver) -> dict:
    s = ctx.session
    p = _provider(s, cmd.provider_code)
    if s.scalar(select(Caregiver.id).where(Caregiver.certificate == cmd.certificate)) is not None:
        raise Conflict(f"护理员证书 {cmd.certificate} 已登记", f"certificate {cmd.certificate} is already registered",
                       field="certificate", code="caregiver_exists")
    c = Caregiver(provider_id=p.id, name=cmd.name, certificate=cmd.certificate)
    s.add(c)
    s.flush()
    ctx.audit("ltc.caregiver.registered", "ltc_caregiver", c.id, after=cmd.body())
    return {"caregiver_id": c.id, "provider": p.code}


@handles(commands.ChoosePlan)
def choose_plan(ctx: Context, cmd: commands.ChoosePlan) -> dict:
    s = ctx.session
    if cmd.starts_on.day != 1:
        raise InvalidInput("护理计划从某月 1 日起生效（每月只结算一家机构）",
                           "a care plan starts on the 1st of a month (one provider per month)", field="starts_on")
    b = s.scalar(select(Beneficiary).where(Beneficiary.person_id == cmd.person_id))
    if b is None or (b.ends_on is not None and b.ends_on < cmd.starts_on):
        raise NotFound("享受长护险待遇的人员", cmd.person_id, field="person_id", what_en="beneficiary")
    p = _provider(s, cmd.provider_code)
    if b.grade == "severe_dementia" and not p.dementia_unit:
        raise Conflict("重度失智人员须选择设有失智专区的定点机构", "a person assessed 重度失智 needs a provider with a "
                       "dementia unit (失智专区)", field="provider", code="needs_dementia_unit")
    items = catalogue.require_items(s, cmd.items, cmd.starts_on)
    if s.scalar(select(CarePlan.id).where(CarePlan.person_id == cmd.person_id,
                                          CarePlan.starts_on >= cmd.starts_on)) is not None:
        raise Conflict(f"{cmd.person_id} 已有 {cmd.starts_on} 或之后生效的护理计划",
                       f"{cmd.person_id} already has a plan starting on or after {cmd.starts_on}", field="starts_on",
                       code="plan_exists")
    prev = plan_on(s, cmd.person_id, cmd.starts_on)
    if prev is not None:
        prev.ends_on = cmd.starts_on - dt.timedelta(days=1)
    plan = CarePlan(person_id=cmd.person_id, district=b.district, care_type=p.care_type, provider_id=p.id,
                    starts_on=cmd.starts_on)
    s.add(plan)
    s.flush()
    s.execute(text("INSERT INTO ltc_care_plan_items (plan_id, item_code) VALUES (:p, :c)"),
              [{"p": plan.id, "c": c} for c in items])
    ctx.audit("ltc.plan.chosen", "ltc_care_plan", plan.id, before={"plan": prev.id if prev else None},
              after=cmd.body())
    return {"plan_id": plan.id, "care_type": p.care_type, "provider": p.code, "items": list(items),
            "starts_on": cmd.starts_on.isoformat()}


@handles(commands.CheckIn)
def check_in(ctx: Context, cmd: commands.CheckIn) -> dict:
    s = ctx.session
    cg = s.scalar(select(Caregiver).where(Caregiver.certificate == cmd.certificate))
    if cg is None:
        raise NotFound("护理员", cmd.certificate, field="certificate", what_en="caregiver")
    day = cmd.at.astimezone(SH).date()
    plan = _active_plan(s, cmd.person_id, day)
    if plan is None or plan.provider_id != cg.provider_id:
        raise _no_plan(cmd.person_id, day)
    if plan.care_type != "home":
        raise Conflict("机构护理按日记录，不需要签到", "institutional care is recorded per day, without check-in",
                       field="person_id", code="not_home_care")
    if s.scalar(select(Visit.id).where(Visit.caregiver_id == cg.id, Visit.done.is_(False))) is not None:
        raise Conflict("该护理员还有未签出的服务", "this caregiver has a visit not yet checked out",
                       field="certificate", code="visit_open")
    v = Visit(person_id=cmd.person_id, district=plan.district, provider_id=plan.provider_id, caregiver_id=cg.id,
              plan_id=plan.id, kind="home", day=day, month=day.isoformat()[:7], checkin_ts=int(cmd.at.timestamp()),
              lat_udeg=cmd.lat_udeg, lon_udeg=cmd.lon_udeg, face_ok=cmd.face_ok, done=False, cost_fen=0,
              min_minutes=0)
    s.add(v)
    s.flush()
    ctx.audit("ltc.visit.checked_in", "ltc_visit", v.id, after=cmd.body())
    return {"visit_id": v.id, "day": day.isoformat()}


def _items(s: Session, visit: Visit, codes, on: dt.date) -> None:
    items = catalogue.require_items(s, codes, on)
    bulk_insert(s, VisitItem.__table__, [{"visit_id": visit.id, "item_code": c, "price_fen": it["price_fen"],
                                          "min_minutes": it["min_minutes"]} for c, it in items.items()])
    visit.cost_fen = sum(it["price_fen"] for it in items.values())
    visit.min_minutes = sum(it["min_minutes"] for it in items.values())


@handles(commands.CheckOut)
def check_out(ctx: Context, cmd: commands.CheckOut) -> dict:
    s = ctx.session
    v = s.get(Visit, cmd.visit_id, with_for_update=True)
    if cmd.certificate is not None and v is not None:
        caregiver_id = s.scalar(select(Caregiver.id).where(Caregiver.certificate == cmd.certificate))
        if v.caregiver_id != caregiver_id:
            v = None  # another caregiver's visit: as if there were none, so ids cannot be probed
    if v is None or v.kind != "home":
        raise NotFound("居家服务记录", str(cmd.visit_id), field="visit_id", what_en="home visit")
    if v.done:
        raise Conflict("该服务已签出", "this visit is already checked out", field="visit_id", code="visit_closed")
    ts = int(cmd.at.timestamp())
    if ts <= (v.checkin_ts or 0):
        raise InvalidInput("签出时间必须晚于签到时间", "check-out must be after check-in", field="at",
                           code="checkout_before_checkin")
    _items(s, v, cmd.items, v.day)
    v.checkout_ts, v.done = ts, True
    ctx.audit("ltc.visit.checked_out", "ltc_visit", v.id, after=cmd.body())
    return {"visit_id": v.id, "minutes": (ts - v.checkin_ts) // 60, "cost_fen": v.cost_fen}


@handles(commands.RecordDay)
def record_day(ctx: Context, cmd: commands.RecordDay) -> dict:
    s = ctx.session
    plan = _active_plan(s, cmd.person_id, cmd.day)
    if plan is None:
        raise _no_plan(cmd.person_id, cmd.day)
    if plan.care_type == "home":
        raise Conflict("居家护理须签到签出，不能按日记录", "home care needs check-in and check-out, not a day record",
                       field="person_id", code="home_needs_checkin")
    v = Visit(person_id=cmd.person_id, district=plan.district, provider_id=plan.provider_id, caregiver_id=None,
              plan_id=plan.id, kind="day", day=cmd.day, month=cmd.day.isoformat()[:7], done=True, cost_fen=0,
              min_minutes=0)
    s.add(v)
    s.flush()
    _items(s, v, cmd.items, cmd.day)
    ctx.audit("ltc.visit.day_recorded", "ltc_visit", v.id, after=cmd.body())
    return {"visit_id": v.id, "cost_fen": v.cost_fen}


@handles(commands.DecideFinding)
def decide_finding(ctx: Context, cmd: commands.DecideFinding) -> dict:
    if cmd.decision not in ("confirmed", "dismissed"):
        raise InvalidInput("处理结果应为确认或排除", "decision must be confirmed or dismissed", field="decision")
    s = ctx.session
    f = s.get(Finding, cmd.finding_id, with_for_update=True)
    if f is None or (cmd.district is not None and f.district != cmd.district):
        raise NotFound("疑似违规记录", str(cmd.finding_id), field="finding_id", what_en="finding")
    if f.status != "flagged":
        raise Conflict("该疑点已处理", "this finding is already decided", field="finding_id", code="finding_decided",
                       details={"status": f.status})
    f.status, f.decided_by, f.note = cmd.decision, ctx.actor, cmd.note
    ctx.audit(f"ltc.finding.{cmd.decision}", "ltc_finding", f.id, before={"status": "flagged"},
              after={"status": cmd.decision, "rule": f.rule_id, "note": cmd.note})
    return {"finding_id": f.id, "status": f.status, "rule": f.rule_id}


@handles(commands.RateVisit)
def rate_visit(ctx: Context, cmd: commands.RateVisit) -> dict:
    s = ctx.session
    v = s.get(Visit, cmd.visit_id)
    if v is None or v.person_id != cmd.person_id or not v.done:
        raise NotFound("服务记录", str(cmd.visit_id), field="visit_id", what_en="visit")
    if not 1 <= cmd.stars <= 5:
        raise InvalidInput("评价为 1 至 5 星", "stars must be 1 to 5", field="stars")
    if s.scalar(select(Rating.id).where(Rating.visit_id == v.id)) is not None:
        raise Conflict("这次服务已评价", "this visit is already rated", field="visit_id", code="already_rated")
    r = Rating(visit_id=v.id, person_id=v.person_id, provider_id=v.provider_id, stars=cmd.stars, comment=cmd.comment)
    s.add(r)
    s.flush()
    ctx.audit("ltc.visit.rated", "ltc_rating", r.id, after=cmd.body())
    return {"rating_id": r.id, "stars": r.stars}


@handles(commands.CorrectPaidClaim)
def correct_paid_claim(ctx: Context, cmd: commands.CorrectPaidClaim) -> dict:
    """Record the correction and post it at once as its own entry: 借 fund_expense / 贷 payable:P<id> when
    owed to the provider, the reverse when recovered; the next payment run pays or nets it (D-LTC-C3)."""
    if cmd.amount_fen == 0:
        raise InvalidInput("更正金额不能为 0", "a correction cannot be zero", field="amount", code="zero_correction")
    s = ctx.session
    provider = s.scalar(select(Provider).where(Provider.code == cmd.provider_code))
    # another district's provider is answered as a missing one, as for findings
    if provider is None or (cmd.district is not None and provider.district != cmd.district):
        raise NotFound("定点护理机构", cmd.provider_code, field="provider", what_en="designated provider")
    # the claim row is locked so that two recoveries of one claim cannot both pass the bound below
    claim = s.scalar(select(Claim).where(Claim.provider_id == provider.id, Claim.month == cmd.month)
                     .with_for_update())
    if claim is None:
        raise NotFound(f"{provider.code} 的结算单", cmd.month, field="month", what_en=f"claim of {provider.code}")
    if claim.status != "paid":
        raise Conflict(f"{provider.code} {cmd.month} 的结算单尚未支付：支付前的差错由结算本身处理",
                       f"the claim of {provider.code} for {cmd.month} is not paid yet: only a paid claim is corrected",
                       field="month", code="claim_not_paid")
    earlier = s.scalar(select(func.coalesce(func.sum(Correction.amount_fen), 0))
                       .where(Correction.provider_id == provider.id, Correction.care_month == cmd.month))
    paid = claim.net_fen + int(earlier)
    if cmd.amount_fen < 0 and -cmd.amount_fen > paid:
        raise Conflict(f"追回金额 {fen_to_yuan(-cmd.amount_fen)} 元超过该结算单已支付的 {fen_to_yuan(paid)} 元",
                       f"the recovery of {fen_to_yuan(-cmd.amount_fen)} yuan exceeds the {fen_to_yuan(paid)} yuan "
                       f"paid on this claim", field="amount", code="recovery_exceeds_paid",
                       details={"paid": fen_to_yuan(max(paid, 0)), "clause": cmd.clause})
    correction = Correction(provider_id=provider.id, care_month=cmd.month, district=provider.district,
                            amount_fen=cmd.amount_fen, reason=cmd.reason, clause=cmd.clause, recorded_by=ctx.actor)
    s.add(correction)
    s.flush()
    payable, amount = f"payable:P{provider.id}", abs(cmd.amount_fen)
    lines = ([debit("fund_expense", amount), credit(payable, amount)] if cmd.amount_fen > 0
             else [debit(payable, amount), credit("fund_expense", amount)])
    ctx.post(settlement.ledger(ctx.actor), lines, key=f"ltc.correct:{correction.id}",
             description=f"结算更正 {provider.code} {cmd.month}：{cmd.reason}",
             data={"clause": cmd.clause, "care_month": cmd.month, "correction": correction.id})
    ctx.audit("ltc.claim.corrected", "ltc_correction", correction.id,
              before={"claim": claim.id, "paid": fen_to_yuan(paid)}, after=cmd.body())
    return {"correction_id": correction.id, "provider": provider.code, "month": cmd.month,
            "amount": fen_to_yuan(cmd.amount_fen), "paid_after": fen_to_yuan(paid + cmd.amount_fen),
            "clause": cmd.clause}
