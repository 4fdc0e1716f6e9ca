"""Participants (参保人员): enrolment, roster import, status changes — and a death reported late.

Statuses: contributing (缴费), receiving (领取待遇), suspended (暂停发放), deceased (死亡),
transferred (转出). Only ``receiving`` people are on the monthly payroll (二).

A death stops payment *the month after* the death (the month of death is paid). A death reported
after later months were already paid turns what was paid for those months into recovery items
(追回), never a negative payment; lines not yet sent to a bank are simply cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gazette import tables, validate
from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.ledger import credit, debit
from gazette.schemes.handler import Context, handles
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension.commands import (
    Enrol,
    ImportRoster,
    ReportDeath,
    Restart,
    StartPension,
    Suspend,
    TransferOut,
)
from jiaxing.schemes.resident_pension.models import LineStatus, Participant, ParticipantStatus, RecoveryStatus
from jiaxing.schemes.resident_pension.standards import ledger, today

COLUMNS = ("person_id", "name", "district", "enrolled_on", "status", "pension_from", "bank", "bank_account")
MAX_ROWS = 200_000


def snapshot(p: Participant) -> dict[str, Any]:
    return {"person_id": p.person_id, "name": p.name, "district": p.district, "status": p.status,
            "enrolled_on": p.enrolled_on.isoformat(),
            "pension_from": None if p.pension_from is None else domain.month_label(p.pension_from),
            "death_date": p.death_date.isoformat() if p.death_date else None, "bank": p.bank,
            "bank_account": p.bank_account}


def get(session: Session, person_id: str, *, lock: bool = False) -> Participant:
    q = select(Participant).where(Participant.person_id == person_id)
    if lock:
        q = q.with_for_update()
    p = session.scalar(q)
    if p is None:
        raise NotFound("参保人员", person_id, field="person_id")
    return p


def clean_row(raw: dict[str, Any]) -> dict[str, Any]:
    """One enrolment as typed values; raises InvalidInput naming the field."""
    pid = validate.person_id(raw.get("person_id"), "person_id")
    name = validate.text(raw.get("name"), "name", max_length=100)
    district = str(raw.get("district") or "").strip()
    if district not in DISTRICTS:
        raise InvalidInput(f"未知的县（市、区）：{district}", f"unknown district: {district}", field="district",
                           code="unknown_district")
    enrolled = validate.date(raw.get("enrolled_on"), "enrolled_on", earliest=dt.date(2009, 1, 1))
    status = str(raw.get("status") or ParticipantStatus.CONTRIBUTING).strip()
    if status not in (ParticipantStatus.CONTRIBUTING, ParticipantStatus.RECEIVING):
        raise InvalidInput("登记状态应为 contributing 或 receiving", "status must be contributing or receiving",
                           field="status", code="invalid_status")
    pf = raw.get("pension_from")
    pf = validate.month(str(pf), "pension_from") if pf not in (None, "") else None
    if status == ParticipantStatus.RECEIVING and pf is None:
        raise InvalidInput("领取待遇人员须填写起领月份", "a person receiving needs pension_from (YYYY-MM)",
                           field="pension_from", code="missing_pension_from")
    if pf is not None and domain.month_index(pf) < domain.FIRST_MONTH:
        raise InvalidInput("起领月份不得早于 2021-01（本库公报覆盖期）", "pension_from may not precede 2021-01",
                           field="pension_from", code="out_of_range")
    bank = str(raw.get("bank") or "JXRCB").strip().upper()
    if bank not in domain.BANKS:
        raise InvalidInput(f"未知的代发银行：{bank}（{', '.join(domain.BANKS)}）", f"unknown bank: {bank}", field="bank",
                           code="unknown_bank")
    acct = str(raw.get("bank_account") or "").strip()
    if not (acct.isascii() and acct.isdigit() and 8 <= len(acct) <= 30):
        raise InvalidInput("银行账号应为 8–30 位数字", "a bank account is 8-30 digits", field="bank_account",
                           code="invalid_bank_account")
    return {"person_id": pid, "name": name, "district": district, "enrolled_on": enrolled, "status": status,
            "pension_from": pf, "bank": bank, "bank_account": acct}


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    from gazette.ledger._sql import bulk_insert

    bulk_insert(session, Participant.__table__, [
        {**r, "pension_from": None if r["pension_from"] is None else domain.month_index(r["pension_from"]),
         "settled_version": 0, "death_date": None, "death_month": None} for r in rows])


@handles(Enrol)
def _enrol(ctx: Context, cmd: Enrol) -> dict:
    row = clean_row(cmd.body())
    if ctx.session.scalar(select(Participant.id).where(Participant.person_id == row["person_id"])) is not None:
        raise Conflict(f"已参保：{row['person_id']}",
                       f"already enrolled: {row['person_id']}",
                       field="person_id", code="already_enrolled")
    _insert(ctx.session, [row])
    p = get(ctx.session, row["person_id"])
    ctx.audit("pension.enrolled", "rp_participant", p.person_id, after=snapshot(p), business_date=today(ctx.session))
    return snapshot(p)


# ---------------------------------------------------------------- roster import (CSV / XLSX)


def read_roster(data: bytes, filename: str) -> list[dict[str, Any]]:
    """The rows of a roster file as dicts of strings (header row names the columns)."""
    return tables.read_table(data, filename, required=("person_id", "name", "district", "enrolled_on", "bank_account"),
                             max_rows=MAX_ROWS, noun=("花名册", "roster"), unreadable_code="bad_roster_file")


def validate_roster(session: Session, rows: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """Every row checked (row numbers as in the file: the header is row 1); returns (clean rows, errors)."""
    checked, errors = tables.check_rows(rows, clean_row)
    clean = [row for _, row in checked]
    seen = {row["person_id"]: number for number, row in checked}
    if seen:
        have = set()
        ids = list(seen)
        for i in range(0, len(ids), 5000):
            have |= set(session.scalars(select(Participant.person_id).where(Participant.person_id.in_(ids[i:i + 5000]))))
        for pid in sorted(have, key=seen.get):
            errors.append({"row": seen[pid], "column": "person_id", "code": "already_enrolled",
                           "message_zh": "已参保", "message_en": "already enrolled"})
    errors.sort(key=lambda e: e["row"])
    return clean, errors


@handles(ImportRoster)
def _import(ctx: Context, cmd: ImportRoster) -> dict:
    rows = [dict(r) for r in cmd.rows]
    clean, errors = validate_roster(ctx.session, rows)
    if errors:
        raise tables.rows_rejected(errors, noun=("花名册", "roster"), code="roster_rejected")
    _insert(ctx.session, clean)
    ctx.audit("pension.roster_imported", "rp_roster", cmd.idempotency_key, after={"rows": len(clean)},
              business_date=today(ctx.session))
    by_status: dict[str, int] = {}
    for r in clean:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    return {"imported": len(clean), "by_status": by_status}


def roster_command(rows: list[dict[str, Any]], *, key: str, actor: str) -> ImportRoster:
    canon = tuple(tuple(sorted((k, "" if v is None else str(v)) for k, v in r.items() if k in COLUMNS)) for r in rows)
    return ImportRoster(idempotency_key=key, actor=actor, rows=canon)


# ---------------------------------------------------------------- status changes


def _change(ctx: Context, p: Participant, action: str, **changes) -> dict:
    before = snapshot(p)
    for k, v in changes.items():
        setattr(p, k, v)
    ctx.session.flush()
    after = snapshot(p)
    ctx.audit(action, "rp_participant", p.person_id, before=before, after=after, business_date=today(ctx.session))
    return after


@handles(StartPension)
def _start(ctx: Context, cmd: StartPension) -> dict:
    p = get(ctx.session, cmd.person_id, lock=True)
    if p.status != ParticipantStatus.CONTRIBUTING:
        raise Conflict(f"只有缴费人员可以开始领取（当前：{p.status}）",
                       f"only a contributing person can start receiving (now {p.status})",
                       field="person_id", code="wrong_status")
    m = domain.month_index(cmd.from_month)
    if m < domain.FIRST_MONTH:
        raise InvalidInput("起领月份不得早于 2021-01", "the first month may not precede 2021-01", field="from_month",
                           code="out_of_range")
    return _change(ctx, p, "pension.started", status=ParticipantStatus.RECEIVING, pension_from=m)


@handles(Suspend)
def _suspend(ctx: Context, cmd: Suspend) -> dict:
    p = get(ctx.session, cmd.person_id, lock=True)
    if p.status != ParticipantStatus.RECEIVING:
        raise Conflict(f"只有领取待遇人员可以暂停发放（当前：{p.status}）",
                       f"only a person receiving can be suspended (now {p.status})",
                       field="person_id", code="wrong_status")
    return _change(ctx, p, "pension.suspended", status=ParticipantStatus.SUSPENDED)


@handles(Restart)
def _restart(ctx: Context, cmd: Restart) -> dict:
    p = get(ctx.session, cmd.person_id, lock=True)
    if p.status != ParticipantStatus.SUSPENDED:
        raise Conflict(f"只有暂停发放人员可以恢复（当前：{p.status}）",
                       f"only a suspended person can be restarted (now {p.status})",
                       field="person_id", code="wrong_status")
    return _change(ctx, p, "pension.restarted", status=ParticipantStatus.RECEIVING)


@handles(TransferOut)
def _transfer(ctx: Context, cmd: TransferOut) -> dict:
    p = get(ctx.session, cmd.person_id, lock=True)
    if p.status in (ParticipantStatus.DECEASED, ParticipantStatus.TRANSFERRED):
        raise Conflict(f"状态为 {p.status}，不能转出",
                       f"cannot transfer out from {p.status}",
                       field="person_id", code="wrong_status")
    return _change(ctx, p, "pension.transferred", status=ParticipantStatus.TRANSFERRED)


@handles(ReportDeath)
def _death(ctx: Context, cmd: ReportDeath) -> dict:
    s = ctx.session
    d = today(s)
    if cmd.death_date > d:
        raise InvalidInput(f"死亡日期 {cmd.death_date} 晚于营业日 {d}", f"the death date {cmd.death_date} is after "
                           f"the business date {d}", field="death_date", code="death_in_future")
    p = get(s, cmd.person_id, lock=True)
    if p.status in (ParticipantStatus.DECEASED, ParticipantStatus.TRANSFERRED):
        raise Conflict(f"状态为 {p.status}，不能登记死亡",
                       f"cannot record a death from {p.status}",
                       field="person_id", code="wrong_status")
    if cmd.death_date < p.enrolled_on:
        raise InvalidInput("死亡日期早于参保日期", "the death date precedes enrolment", field="death_date",
                           code="death_before_enrolment")
    out = _change(ctx, p, "pension.death_reported", status=ParticipantStatus.DECEASED,
                  death_date=cmd.death_date,
                  death_month=domain.month_index(cmd.death_date))
    out.update(settle_after_death(ctx, p, d))
    return out


def settle_after_death(ctx: Context, p: Participant, d: dt.date) -> dict:
    """Lines for months after the death month: unsent ones cancelled; what was sent or paid — and any
    top-up granted for those months — becomes a recovery item. Ledger entries per district."""
    s = ctx.session
    dm = domain.month_index(p.death_date)
    rows = s.execute(text(f"""
        SELECT l.id, l.month, l.amount_fen, l.status,
               COALESCE(sm.amount_fen - l.amount_fen, 0) AS topped
        FROM rp_lines l
        LEFT JOIN rp_standard_months sm ON sm.version = :sv AND sm.month = l.month AND :sv > l.version
        WHERE l.participant_id = :pid AND l.kind = 'pension' AND l.month > :dm AND l.status <> '{LineStatus.CANCELLED}'
        ORDER BY l.month"""), {"pid": p.id, "dm": dm, "sv": p.settled_version}).all()
    cancelled = recovered = 0
    months = []
    for lid, month, amount, status, topped in rows:
        owed = max(int(topped or 0), 0)
        if status in (LineStatus.DUE, LineStatus.FAILED):
            s.execute(text(f"UPDATE rp_lines SET status = '{LineStatus.CANCELLED}' WHERE id = :id"),
                      {"id": lid})
            cancelled += amount
        else:
            owed += amount
        if owed:
            s.execute(text(f"""INSERT INTO rp_recoveries (line_id, participant_id, district, month, amount_fen, status,
                              reason, created_on) VALUES (:l, :p, :d, :m, :a, '{RecoveryStatus.OPEN}', :r, :on)"""),
                      {"l": lid, "p": p.id, "d": p.district, "m": month, "a": owed, "on": d,
                       "r": f"死亡（{p.death_date}）后月份已发待遇"})
            recovered += owed
            months.append(domain.month_label(month))
    lg = ledger(ctx.actor)
    if cancelled:
        ctx.post(lg, [debit(f"payable:{p.district}", cancelled), credit(f"expense:{p.district}", cancelled)],
                 key=f"death-cancel:{p.person_id}", description=f"死亡后未发待遇撤销 {p.person_id}", business_date=d,
                 data={"clause": domain.clause("二")})
    if recovered:
        ctx.post(lg, [debit(f"recoverable:{p.district}", recovered), credit(f"expense:{p.district}", recovered)],
                 key=f"death-recover:{p.person_id}", description=f"死亡后多发待遇追回 {p.person_id}", business_date=d,
                 data={"clause": domain.clause("二")})
    return {"cancelled_fen": cancelled, "recovery_fen": recovered, "recovery_months": months}
