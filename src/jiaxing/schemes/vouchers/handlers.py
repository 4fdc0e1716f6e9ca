"""What each citizen voucher command and each set-up or review step does, registered with
``@handles`` — the general path, on every database. (Submitting, approving, confirming and paying
an application are registered beside their ledger work in :mod:`.enterprise`.) ``gazette.schemes.handler.execute`` runs them once per (caller, key) in the caller's
transaction; a domain error rolls the whole command back and frees the key.

On PostgreSQL :mod:`.hotpath` does the same work in one statement and falls back to these for
anything it does not decide itself; both write the same rows (a test holds them to it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette.ledger import credit, debit
from gazette.ledger._sql import dialect_insert
from gazette.ledger.errors import InsufficientFunds
from gazette.ledger.money import fen_to_yuan
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.vouchers import core, enterprise, errors, service
from jiaxing.schemes.vouchers.commands import (
    CancelVoucher,
    ClaimVoucher,
    DeclineOffer,
    LoadEnterprises,
    RedeemVoucher,
    RefundVoucher,
    RejectApplication,
    SetBusinessDate,
    SetUpProgrammes,
    StartReview,
)
from jiaxing.schemes.vouchers.programmes import SPECS, account_codes
from jiaxing.schemes.vouchers.purchases import priced_purchase


@handles(ClaimVoucher)
def claim(ctx: Context, cmd: ClaimVoucher) -> dict[str, Any]:
    """领券: reserve the programme's top face value from the district pool (借 issued / 贷 pool)."""
    s = ctx.session
    prog = core.programme(s, cmd.programme)
    on = core.business_date(s)
    if not (prog.window_start <= on <= prog.window_end):
        raise errors.window_closed("领券", on, prog.window_start, prog.window_end, "date")
    now = core.now()
    stmt = (
        dialect_insert(s, core.VOUCHERS)
        .values(programme=cmd.programme, district=cmd.district, person_id=cmd.person_id, status="claimed",
                reserved_fen=prog.max_face_fen, clause=prog.clause, claimed_on=on, expires_on=prog.window_end,
                created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["programme", "person_id"], index_where=core.live_where())
        .returning(core.VOUCHERS.c.id)
    )
    vid = s.execute(stmt).scalar()
    if vid is None:
        raise errors.already_claimed(cmd.programme, cmd.person_id)
    who = cmd.actor
    ctx.audit("voucher.claimed", "voucher", vid, before=None, business_date=on,
              after={"status": "claimed", "programme": cmd.programme, "district": cmd.district,
                     "person_id": cmd.person_id, "reserved_fen": prog.max_face_fen})
    acc = account_codes(cmd.programme, cmd.district)
    try:
        e = core.ledger(who).transfer(s, acc["issued"], acc["pool"], prog.max_face_fen, key=f"voucher:{vid}:claim",
                                      memo=core.CLAIM_MEMO.format(name=SPECS[cmd.programme].name),
                                      data={"clause": prog.clause, "voucher": vid})
    except InsufficientFunds as exc:
        raise errors.pool_exhausted(cmd.programme, cmd.district, exc.details.get("available_fen", 0),
                               prog.max_face_fen) from None
    return {"voucher_id": vid, "programme": cmd.programme, "district": cmd.district, "person_id": cmd.person_id,
            "status": "claimed", "reserved_yuan": fen_to_yuan(prog.max_face_fen), "clause": prog.clause,
            "claimed_on": on.isoformat(), "expires_on": prog.window_end.isoformat(), "entry_id": e.id}


def redemption(s, v, purchase: Any) -> tuple[dict[str, Any], int, dict[str, Any], dt.date]:
    """Check a purchase against a claimed voucher and ask the engine for its face value:
    ``(purchase as stored, face in fen, calculation, business date)``."""
    prog = core.programme(s, v.programme)
    on = core.business_date(s)
    p, face, calc = priced_purchase(v.programme, v.district, v.reserved_fen, prog.window_start, prog.window_end, on,
                                    purchase)
    return p, face, calc, on


@handles(RedeemVoucher)
def redeem(ctx: Context, cmd: RedeemVoucher) -> dict[str, Any]:
    """核销: redeemed (face) + pool (reserve − face) / issued (reserve), in one entry."""
    s = ctx.session
    v = core.lock_voucher(s, cmd.voucher_id)
    if v.status != "claimed":
        raise errors.wrong_status("消费券", v.id, v.status, ("claimed",), "voucher_not_redeemable")
    p, face, calc, on = redemption(s, v, cmd.purchase)
    acc = account_codes(v.programme, v.district)
    lines = [debit(acc["redeemed"], face)]
    if v.reserved_fen - face > 0:
        lines.append(debit(acc["pool"], v.reserved_fen - face))
    lines.append(credit(acc["issued"], v.reserved_fen))
    who = cmd.by or v.person_id
    e = core.ledger(who).post(s, lines, key=f"voucher:{v.id}:redeem",
                              description=core.REDEEM_MEMO.format(name=SPECS[v.programme].name),
                              data={"clause": calc["rule"], "voucher": v.id})
    stored = {**p, "calculation": calc}
    core.set_status(s, v, "redeemed", face_fen=face, purchase=stored)
    core.audit.record(s, actor=who, action="voucher.redeemed", entity_type="voucher", entity_id=v.id,
                      before={"status": "claimed"},
                      after={"status": "redeemed", "face_fen": face, "clause": calc["rule"], "purchase": p},
                      business_date=on)
    return {**core.voucher_json(v), "status": "redeemed", "face_yuan": fen_to_yuan(face), "purchase": stored,
            "entry_id": e.id}


@handles(CancelVoucher)
def cancel(ctx: Context, cmd: CancelVoucher) -> dict[str, Any]:
    """退券: an unused voucher's reserve returns to the pool."""
    v = core.lock_voucher(ctx.session, cmd.voucher_id)
    if v.status != "claimed":
        raise errors.wrong_status("消费券", v.id, v.status, ("claimed",), "voucher_not_cancellable")
    return core.release(ctx.session, v, "cancelled", "voucher.cancelled", core.CANCEL_MEMO, cmd.by or v.person_id,
                        cmd.reason)


@handles(RefundVoucher)
def refund(ctx: Context, cmd: RefundVoucher) -> dict[str, Any]:
    """退货: a redeemed purchase was returned; the face value returns to the pool (借 pool / 贷 redeemed)."""
    s = ctx.session
    v = core.lock_voucher(s, cmd.voucher_id)
    if v.status != "redeemed":
        raise errors.wrong_status("消费券", v.id, v.status, ("redeemed",), "voucher_not_refundable")
    acc = account_codes(v.programme, v.district)
    who = cmd.by or v.person_id
    e = core.ledger(who).transfer(s, acc["pool"], acc["redeemed"], v.face_fen, key=f"voucher:{v.id}:refund",
                                  memo=core.REFUND_MEMO, data={"clause": v.clause, "voucher": v.id})
    core.set_status(s, v, "refunded", reason=cmd.reason)
    core.audit.record(s, actor=who, action="voucher.refunded", entity_type="voucher", entity_id=v.id,
                      before={"status": "redeemed"},
                      after={"status": "refunded", "returned_fen": v.face_fen, "reason": cmd.reason})
    return {**core.voucher_json(v), "status": "refunded", "reason": cmd.reason, "entry_id": e.id}


# ------------------------------------------------------------------------- set-up and review steps
# The domain functions below were written to be harmless when repeated; as commands they also
# answer a repeat with the first result, like every other state change.


@handles(SetUpProgrammes)
def set_up_programmes(ctx: Context, cmd: SetUpProgrammes) -> dict[str, Any]:
    return service.setup(ctx.session, actor=cmd.actor)


@handles(SetBusinessDate)
def set_business_date(ctx: Context, cmd: SetBusinessDate) -> dict[str, Any]:
    return {"business_date": service.set_business_date(ctx.session, cmd.date, actor=cmd.actor).isoformat()}


@handles(LoadEnterprises)
def load_enterprises(ctx: Context, cmd: LoadEnterprises) -> dict[str, Any]:
    return enterprise.load_enterprises(ctx.session, cmd.records, actor=cmd.actor)


@handles(StartReview)
def start_review(ctx: Context, cmd: StartReview) -> dict[str, Any]:
    return enterprise.start_review(ctx.session, application_id=cmd.application_id, actor=cmd.actor)


@handles(RejectApplication)
def reject_application(ctx: Context, cmd: RejectApplication) -> dict[str, Any]:
    return enterprise.reject(ctx.session, application_id=cmd.application_id, reason=cmd.reason, actor=cmd.actor)


@handles(DeclineOffer)
def decline_offer(ctx: Context, cmd: DeclineOffer) -> dict[str, Any]:
    return enterprise.decline(ctx.session, application_id=cmd.application_id, actor=cmd.actor)
