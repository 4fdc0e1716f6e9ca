"""Citizen flow (消费券): set up the programmes and district pools, claim, redeem, cancel,
expire and refund — every money command idempotent, every change audited, all money in the
``vouchers`` ledger book.

Chart of accounts, per programme ``p`` and district ``d`` (all guarded, none may go below zero):

* ``budget:p:d``   equity   拨付预算 — what was put into the pool
* ``pool:p:d``     asset    可领额度 — still available to claim
* ``issued:p:d``   asset    已领未用 — reserved by claimed vouchers (the top tier each)
* ``redeemed:p:d`` expense  已核销   — face values of redeemed vouchers

Funding 借 pool / 贷 budget; claim 借 issued / 贷 pool (the maximum face value is reserved);
redemption 借 redeemed (face) + 借 pool (reserve − face) / 贷 issued (reserve); cancel and
expiry 借 pool / 贷 issued; refund of a returned purchase 借 pool / 贷 redeemed. Hence for every
pool ``budget = pool + issued + redeemed`` by construction.

Every function takes the caller's session and never commits: one command = one
``unit_of_work()``. The citizen commands (claim, redeem, cancel, refund) also take ``None`` for the session:
then the command is its own transaction — on PostgreSQL one statement, one round trip, committed as
it ends (see :mod:`.hotpath`). The API and the batcher's lone requests call them so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from gazette.ledger import Ledger, audit, execute_run
from gazette.ledger._sql import dialect_insert
from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.vouchers import core, errors
from jiaxing.schemes.vouchers.commands import (
    CancelVoucher,
    ClaimVoucher,
    RedeemVoucher,
    RefundVoucher,
    caller_scope,
    run,
)
from jiaxing.schemes.vouchers.models import Pool, Programme, Voucher
from jiaxing.schemes.vouchers.programmes import BOOK, DISTRICTS, SPECS, account_codes, programme_facts
from jiaxing.schemes.vouchers.purchases import MAX_PRICE_YUAN, normalise_purchase, parse_date, parse_price

SETUP_DATE = dt.date(2022, 9, 21)

# The shared pieces under the names other modules of the scheme (and older callers) know them by.
ledger = core.ledger
voucher_json = core.voucher_json
_now = core.now
_programme = core.programme
_check_district = core.check_district
_check_person = core.check_person
_business_date = core.business_date
_lock_voucher = core.lock_voucher
__all__ = ["MAX_PRICE_YUAN", "caller_scope", "normalise_purchase", "parse_date", "parse_price"]


# ---------------------------------------------------------------------------------- setup


def setup(
    session: Session,
    *,
    business_date: dt.date = SETUP_DATE,
    budgets: dict[str, dict[str, int]] | None = None,
    programmes: tuple[str, ...] = ("nev", "appliances"),
    actor: str = "system",
) -> dict[str, Any]:
    """Create the book, the programmes, one pool per district and fund each pool (idempotent).

    ``budgets`` overrides the pack's district budgets (fen) — for drills and tests with small
    pools; by default every district gets the minimum the gazette sets (``…#一/district_budget``).
    """
    lg = Ledger.open_book(session, BOOK, "消费券与企业奖补", business_date=business_date, actor=actor)
    out: dict[str, Any] = {"programmes": []}
    for code in programmes:
        pf = programme_facts(code)
        spec = pf.spec
        want = dict(pf.district_budgets_fen)
        if budgets and code in budgets:
            unknown = [d for d in budgets[code] if d not in DISTRICTS]
            if unknown:
                raise errors.unknown_district(unknown[0], list(DISTRICTS))
            want = {d: int(budgets[code].get(d, 0)) for d in DISTRICTS}
        session.execute(
            dialect_insert(session, Programme.__table__)
            .values(code=code, name=spec.name, clause=spec.clause, entity=spec.entity, window_start=pf.window_start,
                    window_end=pf.window_end, max_face_fen=pf.max_face_fen, per_person_limit=1,
                    total_budget_fen=pf.total_budget_fen,
                    data={"document": spec.document, "budget_rule": spec.budget_rule,
                          "city_share_rule": spec.city_share_rule, "tiers_param": spec.tiers_param},
                    created_at=_now())
            .on_conflict_do_nothing(index_elements=["code"])
        )
        pools = []
        for d in DISTRICTS:
            acc = account_codes(code, d)
            for kind, typ, name in (("budget", "equity", "拨付预算"), ("pool", "asset", "可领额度"),
                                    ("issued", "asset", "已领未用"), ("redeemed", "expense", "已核销")):
                lg.open_account(session, acc[kind], f"{d}{spec.name}{name}", typ, programme=code, district=d)
            amount = want[d]
            session.execute(
                dialect_insert(session, Pool.__table__)
                .values(programme=code, district=d, budget_fen=amount, clause=spec.budget_rule, created_at=_now())
                .on_conflict_do_nothing(index_elements=["programme", "district"])
            )
            if amount > 0:
                lg.transfer(session, acc["pool"], acc["budget"], amount, key=f"fund:{code}:{d}:initial",
                            memo=f"{d}{spec.name}资金（{spec.budget_rule}）", data={"clause": spec.budget_rule})
            pools.append({"district": d, "budget_yuan": fen_to_yuan(amount)})
        out["programmes"].append({"code": code, "name": spec.name, "clause": spec.clause,
                                  "window": [pf.window_start.isoformat(), pf.window_end.isoformat()],
                                  "total_budget_yuan": fen_to_yuan(pf.total_budget_fen), "pools": pools})
    return out


def fund(session: Session, *, programme: str, district: str, amount_fen: int, key: str, actor: str = "system"):
    """Top up a district pool (追加资金): 借 pool / 贷 budget, idempotent by key."""
    prog = _programme(session, programme)
    _check_district(district)
    acc = account_codes(prog.code, district)
    e = ledger(actor).transfer(session, acc["pool"], acc["budget"], amount_fen, key=f"fund:{programme}:{district}:{key}",
                               memo=f"{district}追加资金", data={"clause": SPECS[prog.code].budget_rule})
    if not e.replayed:
        session.execute(update(Pool).where(Pool.programme == programme, Pool.district == district)
                        .values(budget_fen=Pool.budget_fen + amount_fen))
        audit.record(session, actor=actor, action="voucher.pool.funded", entity_type="voucher_pool",
                     entity_id=f"{programme}:{district}", after={"amount_fen": amount_fen, "entry_id": e.id})
    return {"programme": programme, "district": district, "amount_yuan": fen_to_yuan(amount_fen), "entry_id": e.id,
            "replayed": e.replayed}


def set_business_date(session: Session, on: dt.date, actor: str = "system") -> dt.date:
    return ledger(actor).advance_business_date(session, on, actor=actor)


# ---------------------------------------------------------------------------------- citizen commands


def claim(session: Session | None, *, programme: str, district: str, person_id: str, key: str,
          actor: str | None = None) -> dict[str, Any]:
    """Claim a voucher (领券): reserves the programme's top face value from the district pool
    (``session=None``: in its own transaction).

    Errors: ``unknown_programme``, ``unknown_district``, ``invalid_person``, ``window_closed``,
    ``already_claimed`` (one live voucher per person and programme, enforced by a unique index),
    ``pool_exhausted``, ``idempotency_key_reused``.
    """
    return run(claim_command(programme=programme, district=district, person_id=person_id, key=key, actor=actor),
               session)


def redeem(session: Session | None, *, voucher_id: int, purchase: dict[str, Any], key: str,
           actor: str | None = None) -> dict[str, Any]:
    """Redeem a claimed voucher against a purchase (核销). The engine decides the face value
    (tier, price, category, energy label, date window) with its clause; the rest of the reserve
    returns to the pool in the same entry."""
    return run(redeem_command(voucher_id=voucher_id, purchase=purchase, key=key, actor=actor), session)


def cancel(session: Session | None, *, voucher_id: int, key: str, reason: str | None = None,
           actor: str | None = None) -> dict[str, Any]:
    """Cancel an unused voucher (退券): its reserve returns to the pool."""
    return run(cancel_command(voucher_id=voucher_id, key=key, reason=reason, actor=actor), session)


def refund(session: Session | None, *, voucher_id: int, key: str, reason: str | None = None,
           actor: str | None = None) -> dict[str, Any]:
    """A redeemed purchase was returned (退货): the face value returns to the pool and the voucher
    is closed (``refunded``); the person may claim again while the window is open."""
    return run(refund_command(voucher_id=voucher_id, key=key, reason=reason, actor=actor), session)


# The citizen commands built from a request's values, validated and canonical. The functions above
# run them in a session or a transaction of their own; the API's routes await them on the event
# loop (:func:`.commands.run_async`).


def claim_command(*, programme: str, district: str, person_id: str, key: str, actor: str | None = None
                  ) -> ClaimVoucher:
    programme = core.check_programme(programme)
    district = core.check_district(district)
    person_id = core.check_person(person_id)
    return ClaimVoucher(idempotency_key=key, actor=actor or person_id, programme=programme, district=district,
                        person_id=person_id)


def redeem_command(*, voucher_id: int, purchase: dict[str, Any], key: str, actor: str | None = None
                   ) -> RedeemVoucher:
    core.check_voucher_id(voucher_id)
    if not isinstance(purchase, dict):
        raise errors.invalid("invalid_purchase", "购买信息应为对象", "purchase must be an object", "purchase")
    return RedeemVoucher(idempotency_key=key, actor=actor or f"voucher:{voucher_id}", by=actor,
                         voucher_id=voucher_id, purchase=purchase)


def cancel_command(*, voucher_id: int, key: str, reason: str | None = None, actor: str | None = None
                   ) -> CancelVoucher:
    return CancelVoucher(idempotency_key=key, actor=actor or f"voucher:{voucher_id}", by=actor,
                         voucher_id=voucher_id, reason=reason)


def refund_command(*, voucher_id: int, key: str, reason: str | None = None, actor: str | None = None
                   ) -> RefundVoucher:
    return RefundVoucher(idempotency_key=key, actor=actor or f"voucher:{voucher_id}", by=actor,
                         voucher_id=voucher_id, reason=reason)


def expire(*, on: dt.date | None = None, uow=None, chunk_size: int = 500, actor: str = "system"):
    """The expiry run (过期回收), keyed ``("vouchers.expire", <date>)``: every voucher still
    ``claimed`` whose window ended before ``on`` (default: the business date) returns its
    reserve to its pool. Re-running is a no-op; a crashed run resumes to the clean state."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    with uow() as s:
        today = _business_date(s)
    if on is None:
        on = today
    if on > today:
        raise errors.invalid("invalid_date", f"过期回收日期 {on} 晚于当前业务日期 {today}", f"expiry date {on} is after today ({today})",
                        "on")

    def units():
        with uow() as s:
            rows = s.execute(select(Voucher.id).where(Voucher.status == "claimed", Voucher.expires_on < on)
                             .order_by(Voucher.id)).scalars().all()
        return list(rows)

    def process(session: Session, chunk: list[int], ctx) -> dict[str, int]:
        return {"expired": core.expire_claimed(session, chunk, actor, run_id=ctx.run_id)}

    def finalize(session: Session, ctx, totals):
        n = session.execute(select(func.count()).select_from(Voucher).where(
            and_(Voucher.status == "expired", Voucher.expires_on < on))).scalar_one()
        return {"expired_total": n}

    return execute_run("vouchers.expire", on.isoformat(), units, process, uow=uow, chunk_size=chunk_size,
                       actor=actor, business_date=on, finalize=finalize)


# ---------------------------------------------------------------------------------- queries


def get_voucher(session: Session, voucher_id: int) -> dict[str, Any]:
    v = session.get(Voucher, voucher_id)
    if v is None:
        raise errors.voucher_not_found(voucher_id)
    return voucher_json(v)


def list_vouchers(session: Session, *, person_id: str | None = None, programme: str | None = None,
                  district: str | None = None, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(Voucher).order_by(Voucher.id).limit(max(1, min(int(limit), 1000)))
    if person_id:
        stmt = stmt.where(Voucher.person_id == _check_person(person_id))
    if programme:
        stmt = stmt.where(Voucher.programme == programme)
    if district:
        stmt = stmt.where(Voucher.district == district)
    if status:
        stmt = stmt.where(Voucher.status == status)
    return [voucher_json(v) for v in session.execute(stmt).scalars()]


def pools(session: Session, programme: str | None = None) -> list[dict[str, Any]]:
    lg = ledger()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for acc, bal in lg.balances(session, programme=programme):
        if acc.district is None or acc.programme not in SPECS:
            continue
        kind = acc.code.split(":", 1)[0]
        row = out.setdefault((acc.programme, acc.district), {"programme": acc.programme, "district": acc.district})
        row[f"{kind}_fen"] = bal
    res = []
    for (p, d), row in sorted(out.items()):
        res.append({"programme": p, "district": d,
                    **{f"{k}_yuan": fen_to_yuan(row.get(f"{k}_fen", 0)) for k in ("budget", "pool", "issued", "redeemed")}})
    return res
