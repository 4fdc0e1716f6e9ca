"""The yearly linked adjustment (基础养老金挂钩调整机制) — 一 of 60号.

"根据上一年度全市农村居民人均可支配收入的增长比例，确定基础养老金标准增长比例…制定…调整方案和调整金额，
报请市政府同意后实施。"

Procedure, one adjustment per year (the year whose standard it sets, from 1 January):

1. an officer records last year's rural per-capita disposable income and its growth; the system
   proposes ``previous × (1 + growth)`` rounded UP to whole 10 yuan (290 × 1.095 = 317.55 → 320, the
   gazette's own figure in 二) — ``draft``;
2. the officer may edit the amount (调整金额) and submits it — ``submitted``;
3. an approver (市政府同意), never the officer who proposed or submitted it, approves — only then
   does it become a published standard version dated the approval day, cited by its approval;
   or rejects it (back to the officer, who may propose again).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gazette.errors import Conflict, Forbidden, InvalidInput, NotFound
from gazette.ledger.money import fen_to_yuan
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.schemes.resident_pension.commands import (
    ApproveAdjustment,
    EditAdjustment,
    ProposeAdjustment,
    RejectAdjustment,
    SubmitAdjustment,
)
from jiaxing.schemes.resident_pension.models import Adjustment, AdjustmentStatus


def as_dict(a: Adjustment) -> dict:
    return {"id": a.id, "year": a.year, "income_year": a.year - 1, "rural_income": fen_to_yuan(a.rural_income_fen),
            "growth": f"{a.growth_ppm / 10_000:.4f}".rstrip("0").rstrip(".") + "%",
            "previous": fen_to_yuan(a.previous_fen), "proposed": fen_to_yuan(a.proposed_fen),
            "amount": fen_to_yuan(a.amount_fen), "status": a.status, "proposed_by": a.proposed_by,
            "submitted_by": a.submitted_by, "approved_by": a.approved_by,
            "approved_on": a.approved_on.isoformat() if a.approved_on else None, "note": a.note,
            "version": a.version, "effective_from": f"{a.year}-01", "clause": domain.clause("一"),
            "rounding": "上调至整 10 元 (rounded up to whole 10 yuan)"}


def get(session, year: int, *, lock: bool = False) -> Adjustment:
    q = select(Adjustment).where(Adjustment.year == year)
    if lock:
        q = q.with_for_update()
    a = session.scalar(q)
    if a is None:
        raise NotFound("调整方案", str(year), field="year")
    return a


def listing(session) -> list[dict]:
    return [as_dict(a) for a in session.scalars(select(Adjustment).order_by(Adjustment.year.desc()))]


def _previous(session, year: int) -> int:
    latest = pension_standards.version_on(session, dt.date(2100, 1, 1))
    fen = pension_standards.standard(session, latest, year * 12 - 1)  # December of the income year
    if fen is None:
        raise InvalidInput(f"{year - 1} 年 12 月没有基础养老金标准", f"no standard for December {year - 1}", field="year",
                           code="no_previous_standard")
    return int(fen)


@handles(ProposeAdjustment)
def _propose(ctx: Context, cmd: ProposeAdjustment) -> dict:
    s = ctx.session
    if cmd.year < 2023:
        raise InvalidInput("2022 年的标准已由 60号 确定；调整方案自 2023 年起", "2022's standard is set by 60号; "
                           "adjustments start with 2023", field="year", code="year_out_of_range")
    previous = _previous(s, cmd.year)
    proposed = domain.propose(previous, cmd.growth_ppm)
    a = s.scalar(select(Adjustment).where(Adjustment.year == cmd.year).with_for_update())
    before = None if a is None else as_dict(a)
    if a is None:
        a = Adjustment(year=cmd.year, status=AdjustmentStatus.DRAFT, proposed_by=ctx.actor,
                       rural_income_fen=0, growth_ppm=0,
                       previous_fen=0, proposed_fen=0, amount_fen=0)
        s.add(a)
    elif a.status not in (AdjustmentStatus.DRAFT, AdjustmentStatus.REJECTED):
        raise Conflict(f"{cmd.year} 年调整方案已{a.status}，不能重新测算",
                       f"the {cmd.year} adjustment is {a.status}",
                       field="year", code="adjustment_locked", details=domain.cited("一"))
    a.rural_income_fen, a.growth_ppm, a.previous_fen = cmd.rural_income_fen, cmd.growth_ppm, previous
    a.proposed_fen = a.amount_fen = proposed
    a.status, a.proposed_by, a.submitted_by, a.note = AdjustmentStatus.DRAFT, ctx.actor, None, None
    s.flush()
    out = as_dict(a)
    ctx.audit("pension.adjustment.proposed", "rp_adjustment", cmd.year, before=before, after=out,
              business_date=pension_standards.today(s))
    return out


@handles(EditAdjustment)
def _edit(ctx: Context, cmd: EditAdjustment) -> dict:
    a = get(ctx.session, cmd.year, lock=True)
    if a.status != AdjustmentStatus.DRAFT:
        raise Conflict(f"只能修改草稿（当前：{a.status}）",
                       f"only a draft can be edited ({a.status})",
                       field="year", code="adjustment_locked", details=domain.cited("一"))
    if cmd.amount_fen < a.previous_fen:
        raise InvalidInput(f"调整金额不得低于上年标准 {fen_to_yuan(a.previous_fen)} 元",
                           f"the amount may not be below last year's {fen_to_yuan(a.previous_fen)}", field="amount",
                           code="standard_lowered")
    before = as_dict(a)
    a.amount_fen, a.note = cmd.amount_fen, cmd.note or None
    ctx.session.flush()
    out = as_dict(a)
    ctx.audit("pension.adjustment.edited", "rp_adjustment", cmd.year, before=before, after=out,
              business_date=pension_standards.today(ctx.session))
    return out


@handles(SubmitAdjustment)
def _submit(ctx: Context, cmd: SubmitAdjustment) -> dict:
    a = get(ctx.session, cmd.year, lock=True)
    if a.status != AdjustmentStatus.DRAFT:
        raise Conflict(f"只能报送草稿（当前：{a.status}）",
                       f"only a draft can be submitted "
                       f"({a.status})",
                       field="year", code="adjustment_locked", details=domain.cited("一"))
    before = as_dict(a)
    a.status, a.submitted_by = AdjustmentStatus.SUBMITTED, ctx.actor
    ctx.session.flush()
    out = as_dict(a)
    ctx.audit("pension.adjustment.submitted", "rp_adjustment", cmd.year, before=before, after=out,
              business_date=pension_standards.today(ctx.session))
    return out


@handles(ApproveAdjustment)
def _approve(ctx: Context, cmd: ApproveAdjustment) -> dict:
    s = ctx.session
    a = get(s, cmd.year, lock=True)
    if a.status != AdjustmentStatus.SUBMITTED:
        raise Conflict(f"未报送的调整方案不能批准（当前：{a.status}）",
                       f"only a submitted adjustment can be approved ({a.status})",
                       field="year", code="not_submitted", details=domain.cited("一"))
    if ctx.actor in (a.proposed_by, a.submitted_by):
        raise Forbidden("测算或报送人不能批准本方案",
                        "the proposer or submitter may not approve",
                        field="actor", code="same_person", details=domain.cited("一"))
    d = pension_standards.today(s)
    before = as_dict(a)
    citation = f"{domain.clause('一')}；市政府同意：{ctx.actor} {d.isoformat()} 批准 {a.year} 年调整方案（#{a.id}）"
    v = pension_standards.add_version(s, a.year * 12, a.amount_fen, d, citation, a.id)
    a.status, a.approved_by, a.approved_on, a.version = AdjustmentStatus.APPROVED, ctx.actor, d, v
    s.flush()
    out = {**as_dict(a), "citation": citation}
    ctx.audit("pension.adjustment.approved", "rp_adjustment", cmd.year, before=before, after=out, business_date=d)
    return out


@handles(RejectAdjustment)
def _reject(ctx: Context, cmd: RejectAdjustment) -> dict:
    a = get(ctx.session, cmd.year, lock=True)
    if a.status != AdjustmentStatus.SUBMITTED:
        raise Conflict(f"只能退回已报送的方案（当前：{a.status}）",
                       f"only a submitted adjustment can be "
                       f"rejected ({a.status})",
                       field="year", code="not_submitted", details=domain.cited("一"))
    before = as_dict(a)
    a.status, a.note = AdjustmentStatus.REJECTED, cmd.reason
    ctx.session.flush()
    out = as_dict(a)
    ctx.audit("pension.adjustment.rejected", "rp_adjustment", cmd.year, before=before, after=out,
              business_date=pension_standards.today(ctx.session))
    return out
