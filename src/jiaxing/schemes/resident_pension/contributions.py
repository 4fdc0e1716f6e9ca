"""Contributions (缴费) by year and tier, and the subsidy account (缴费补贴账户) — 三 of 60号.

"从2022年9月1日起，增设一档5000元/年的缴费档次…按每人每年900元给予缴费补贴，计入缴费补贴账户。
对其中因中断缴费而补缴的，补缴年度不享受补贴。"

* a year is paid once (``UNIQUE (person_id, year)``);
* the amount must be a tier in force on the payment date: the 5,000 tier exists from 2022-09-01
  (a 5,000 payment dated earlier is refused — it cannot earn the subsidy either); the other tiers
  are operator data (demo values);
* a payment for a past year (``year`` before the payment's year) is a 补缴 and earns no subsidy;
* ledger: 借 collections / 贷 ``personal:<person>`` (个人账户); the subsidy 借 subsidy_expense /
  贷 ``subsidy:<person>`` — two separate accounts per person.
"""

from __future__ import annotations

from sqlalchemy import select

from gazette.errors import Conflict, InvalidInput
from gazette.ledger import credit, debit
from gazette.ledger.money import fen_to_yuan
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension.commands import Contribute
from jiaxing.schemes.resident_pension.models import Contribution, ParticipantStatus
from jiaxing.schemes.resident_pension.participants import get
from jiaxing.schemes.resident_pension.standards import ledger, today


def subsidy_for(amount_fen: int, paid_on, year: int) -> tuple[int, bool]:
    """(subsidy in fen, back payment?) of a payment — 三."""
    back = year < paid_on.year
    tier = domain.gazette_tier_fen(paid_on)
    if tier is not None and amount_fen == tier and not back:
        return domain.gazette_subsidy_fen(paid_on), back
    return 0, back


def check(amount_fen: int, paid_on, year: int) -> None:
    if year > paid_on.year:
        raise InvalidInput(f"不能预缴 {year} 年（缴费日期 {paid_on}）", f"cannot pay {year} in advance (paid {paid_on})",
                           field="year", code="future_year")
    tiers = domain.tiers_fen(paid_on)
    if amount_fen not in tiers:
        if amount_fen == 5000_00:
            raise InvalidInput(f"5000 元档次自 2022-09-01 起设立，{paid_on} 不适用，不享受 900 元补贴",
                               f"the 5,000 tier exists from 2022-09-01; not on {paid_on} (no 900 subsidy)",
                               field="paid_on", code="tier_not_in_force", details=domain.cited("三"))
        raise InvalidInput(f"未知的缴费档次：{fen_to_yuan(amount_fen)} 元（可选："
                           f"{'、'.join(fen_to_yuan(t) for t in tiers)}）",
                           f"unknown tier {fen_to_yuan(amount_fen)}",
                           field="amount", code="unknown_tier", details=domain.cited("三", tiers=[fen_to_yuan(t) for t in tiers]))


@handles(Contribute)
def _contribute(ctx: Context, cmd: Contribute) -> dict:
    s = ctx.session
    d = today(s)
    if cmd.paid_on > d:
        raise InvalidInput(f"缴费日期 {cmd.paid_on} 晚于营业日 {d}", f"paid_on {cmd.paid_on} is after the business date",
                           field="paid_on", code="date_in_future")
    check(cmd.amount_fen, cmd.paid_on, cmd.year)
    p = get(s, cmd.person_id, lock=True)
    if p.status in (ParticipantStatus.DECEASED, ParticipantStatus.TRANSFERRED):
        raise Conflict(f"状态为 {p.status}，不能缴费",
                       f"cannot contribute from {p.status}",
                       field="person_id", code="wrong_status")
    if s.scalar(select(Contribution.id).where(Contribution.person_id == p.person_id, Contribution.year == cmd.year)):
        raise Conflict(f"{cmd.year} 年已缴费",
                       f"{cmd.year} is already paid",
                       field="year", code="year_already_paid", details=domain.cited("三"))
    subsidy, back = subsidy_for(cmd.amount_fen, cmd.paid_on, cmd.year)
    row = Contribution(person_id=p.person_id, district=p.district, year=cmd.year, amount_fen=cmd.amount_fen,
                       paid_on=cmd.paid_on, back_payment=back, subsidy_fen=subsidy, clause=domain.clause("三"))
    s.add(row)
    s.flush()
    lg = ledger(ctx.actor)
    lg.open_account(s, f"personal:{p.person_id}", f"个人账户 {p.person_id}", "liability", programme="resident_pension",
                    district=p.district, owner=p.person_id, actor=ctx.actor)
    ctx.post(lg, [debit("collections", cmd.amount_fen), credit(f"personal:{p.person_id}", cmd.amount_fen)],
             key=f"contribution:{p.person_id}:{cmd.year}", description=f"{cmd.year} 年度缴费", business_date=d,
             data={"clause": domain.clause("三"), "back_payment": back})
    if subsidy:
        lg.open_account(s, f"subsidy:{p.person_id}", f"缴费补贴账户 {p.person_id}", "liability",
                        programme="resident_pension", district=p.district, owner=p.person_id, actor=ctx.actor)
        ctx.post(lg, [debit("subsidy_expense", subsidy), credit(f"subsidy:{p.person_id}", subsidy)],
                 key=f"subsidy:{p.person_id}:{cmd.year}", description=f"{cmd.year} 年度 5000 元档缴费补贴",
                 business_date=d, data={"clause": domain.clause("三")})
    out = {"person_id": p.person_id, "year": cmd.year, "amount": fen_to_yuan(cmd.amount_fen),
           "paid_on": cmd.paid_on.isoformat(), "back_payment": back, "subsidy": fen_to_yuan(subsidy),
           "clause": domain.clause("三")}
    ctx.audit("pension.contributed", "rp_contribution", f"{p.person_id}/{cmd.year}", after=out, business_date=d)
    return out
