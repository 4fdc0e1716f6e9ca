"""What every voucher command shares: the programme row, the checks of a district and a person,
the business date, the voucher row lock and its JSON, and the release of a voucher's reserve.

Nothing here commits: one command = one transaction (see :mod:`.commands`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import GazetteError
from gazette.ledger import Ledger, audit
from gazette.ledger import clock as ledger_clock
from gazette.ledger.money import fen_to_yuan
from gazette.ledger.postings import EntryRequest, credit, debit
from jiaxing.schemes.vouchers import errors
from jiaxing.schemes.vouchers.models import LIVE_VOUCHER, Programme, Voucher
from jiaxing.schemes.vouchers.programmes import BOOK, DISTRICTS, SPECS, account_codes

VOUCHERS = Voucher.__table__  # the table, for Core statements


def ledger(actor: str = "system") -> Ledger:
    return Ledger(BOOK, actor=actor)


def now() -> dt.datetime:
    return ledger_clock.now()


def programme(session: Session, code: Any) -> Programme:
    if code not in SPECS:
        raise errors.unknown_programme(str(code), list(SPECS))
    cache = session.info.setdefault("vch_programmes", {})
    prog = cache.get(code)
    if prog is None:
        prog = session.get(Programme, code)
        if prog is None:
            raise errors.not_set_up()
        session.expunge(prog)
        cache[code] = prog
    return prog


def check_programme(code: Any) -> str:
    if not isinstance(code, str) or code not in SPECS:
        raise errors.unknown_programme(str(code), list(SPECS))
    return code


def check_district(district: Any) -> str:
    if not isinstance(district, str) or district not in DISTRICTS:
        raise errors.unknown_district(str(district), list(DISTRICTS))
    return district


def check_person(person_id: Any) -> str:
    """The canonical resident ID number (gazette.validate.person_id): one spelling per person, so the
    one-live-voucher unique index sees ``…1234`` and ``…1234\\n`` as the same person."""
    return validate.person_id(person_id)


def check_voucher_id(voucher_id: Any) -> int:
    if isinstance(voucher_id, bool) or not isinstance(voucher_id, int) or voucher_id <= 0:
        raise errors.invalid("invalid_voucher_id", "消费券编号应为正整数", "voucher_id must be a positive integer", "voucher_id")
    return voucher_id


def business_date(session: Session) -> dt.date:
    try:
        return ledger().business_date(session)
    except GazetteError as exc:
        if exc.code == "ledger_not_found":
            raise errors.not_set_up() from None
        raise


def live_where():
    return text(LIVE_VOUCHER)


def lock_voucher(session: Session, voucher_id: Any) -> Voucher:
    check_voucher_id(voucher_id)
    stmt = select(Voucher).where(Voucher.id == voucher_id).with_for_update().execution_options(populate_existing=True)
    v = session.execute(stmt).scalar_one_or_none()
    if v is None:
        raise errors.voucher_not_found(voucher_id)
    return v


def voucher_json(v: Voucher) -> dict[str, Any]:
    return {
        "voucher_id": v.id, "programme": v.programme, "district": v.district, "person_id": v.person_id,
        "status": v.status, "reserved_yuan": fen_to_yuan(v.reserved_fen),
        "face_yuan": fen_to_yuan(v.face_fen) if v.face_fen is not None else None, "clause": v.clause,
        "claimed_on": v.claimed_on.isoformat(), "expires_on": v.expires_on.isoformat(),
        "purchase": v.purchase, "reason": v.reason,
    }


def set_status(session: Session, v: Voucher, status: str, **values) -> None:
    session.execute(update(Voucher).where(Voucher.id == v.id).values(status=status, updated_at=now(), **values))


def release(session: Session, v: Voucher, status: str, action: str, memo: str, actor: str, reason: str | None,
            run_id: int | None = None) -> dict[str, Any]:
    """A claimed voucher's reserve returns to its pool (借 pool / 贷 issued): cancel and expiry."""
    acc = account_codes(v.programme, v.district)
    e = ledger(actor).transfer(session, acc["pool"], acc["issued"], v.reserved_fen, key=f"voucher:{v.id}:{status}",
                               memo=memo, data={"clause": v.clause, "voucher": v.id}, run_id=run_id)
    set_status(session, v, status, reason=reason)
    audit.record(session, actor=actor, action=action, entity_type="voucher", entity_id=v.id,
                 before={"status": "claimed"}, after={"status": status, "returned_fen": v.reserved_fen, "reason": reason})
    return {**voucher_json(v), "status": status, "reason": reason, "entry_id": e.id}


def expire_claimed(session: Session, voucher_ids: list[int], actor: str, run_id: int | None = None) -> int:
    """One unit of the expiry run, set-based: the vouchers of ``voucher_ids`` still ``claimed`` become
    ``expired`` in one UPDATE, and each one's reserve returns to its pool (借 pool / 贷 issued) as its own
    entry keyed ``voucher:<id>:expired`` — posted together (:meth:`Ledger.post_many`) with one audit
    record per voucher in one INSERT: the statements sent do not grow with the vouchers expired."""
    if not voucher_ids:
        return 0
    expired = sorted(session.execute(
        update(VOUCHERS).where(VOUCHERS.c.id.in_(voucher_ids), VOUCHERS.c.status == "claimed")
        .values(status="expired", reason="expired", updated_at=now())
        .returning(VOUCHERS.c.id, VOUCHERS.c.programme, VOUCHERS.c.district, VOUCHERS.c.reserved_fen, VOUCHERS.c.clause)).all())
    entries = []
    for voucher_id, code, district, reserved_fen, clause in expired:
        accounts = account_codes(code, district)
        entries.append(EntryRequest(key=f"voucher:{voucher_id}:expired", description=EXPIRY_MEMO,
                                    lines=[debit(accounts["pool"], reserved_fen), credit(accounts["issued"], reserved_fen)],
                                    data={"clause": clause, "voucher": voucher_id}))
    ledger(actor).post_many(session, entries, actor=actor, run_id=run_id)
    audit.record_many(session, [
        {"actor": actor, "action": "voucher.expired", "entity_type": "voucher", "entity_id": voucher_id,
         "before": {"status": "claimed"}, "after": {"status": "expired", "returned_fen": reserved_fen, "reason": "expired"}}
        for voucher_id, _, _, reserved_fen, _ in expired])
    return len(expired)


#: Memos of the citizen entries (the ledger's description of each), written once.
CLAIM_MEMO = "领取{name}"
REDEEM_MEMO = "核销{name}"
CANCEL_MEMO = "退还未使用消费券"
REFUND_MEMO = "退货退回消费券资金"
EXPIRY_MEMO = "消费券过期回收"
