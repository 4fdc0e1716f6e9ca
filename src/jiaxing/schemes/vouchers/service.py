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
``unit_of_work()``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import GazetteError, InvalidInput
from gazette.ledger import Ledger, audit, credit, debit, execute_run, idempotent
from gazette.ledger import clock as ledger_clock
from gazette.ledger._sql import dialect_insert
from gazette.ledger.errors import InsufficientFunds
from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.vouchers import errors as E
from jiaxing.schemes.vouchers.models import LIVE_VOUCHER, Pool, Programme, Voucher
from jiaxing.schemes.vouchers.programmes import BOOK, DISTRICTS, SPECS, account_codes, engine, programme_facts

V = Voucher.__table__
MAX_PRICE_YUAN = Decimal("100000000")  # 1亿 yuan: an "absurd" price above this is refused
SETUP_DATE = dt.date(2022, 9, 21)


def ledger(actor: str = "system") -> Ledger:
    return Ledger(BOOK, actor=actor)


def _now() -> dt.datetime:
    return ledger_clock.now()


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
                raise E.unknown_district(unknown[0], list(DISTRICTS))
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


# ---------------------------------------------------------------------------------- helpers


def _programme(session: Session, code: str) -> Programme:
    if code not in SPECS:
        raise E.unknown_programme(code, list(SPECS))
    cache = session.info.setdefault("vch_programmes", {})
    prog = cache.get(code)
    if prog is None:
        prog = session.get(Programme, code)
        if prog is None:
            raise E.not_set_up()
        session.expunge(prog)
        cache[code] = prog
    return prog


def _check_district(district: Any) -> str:
    if not isinstance(district, str) or district not in DISTRICTS:
        raise E.unknown_district(str(district), list(DISTRICTS))
    return district


def _check_person(person_id: Any) -> str:
    """The canonical resident ID number (gazette.validate.person_id): one spelling per person, so the
    one-live-voucher unique index sees ``…1234`` and ``…1234\\n`` as the same person."""
    return validate.person_id(person_id)


def caller_scope(scope: str, actor: str) -> str:
    """Idempotency keys are scoped to the caller (``<scope>@<actor>``): one user's key never blocks
    nor reveals another's. An actor too long for the column is replaced by its digest."""
    out = f"{scope}@{actor}"
    if len(out) > 100:
        out = f"{scope}@sha256:{hashlib.sha256(actor.encode()).hexdigest()[:40]}"
    return out


def _business_date(session: Session) -> dt.date:
    try:
        return ledger().business_date(session)
    except GazetteError as exc:
        if exc.code == "ledger_not_found":
            raise E.not_set_up() from None
        raise


def _lock_voucher(session: Session, voucher_id: Any) -> Voucher:
    if isinstance(voucher_id, bool) or not isinstance(voucher_id, int) or voucher_id <= 0:
        raise E.invalid("invalid_voucher_id", "消费券编号应为正整数", "voucher_id must be a positive integer", "voucher_id")
    stmt = select(Voucher).where(Voucher.id == voucher_id).with_for_update().execution_options(populate_existing=True)
    v = session.execute(stmt).scalar_one_or_none()
    if v is None:
        raise E.voucher_not_found(voucher_id)
    return v


def voucher_json(v: Voucher) -> dict[str, Any]:
    return {
        "voucher_id": v.id, "programme": v.programme, "district": v.district, "person_id": v.person_id,
        "status": v.status, "reserved_yuan": fen_to_yuan(v.reserved_fen),
        "face_yuan": fen_to_yuan(v.face_fen) if v.face_fen is not None else None, "clause": v.clause,
        "claimed_on": v.claimed_on.isoformat(), "expires_on": v.expires_on.isoformat(),
        "purchase": v.purchase, "reason": v.reason,
    }


def _set_status(session: Session, v: Voucher, status: str, **values) -> None:
    session.execute(update(Voucher).where(Voucher.id == v.id).values(status=status, updated_at=_now(), **values))


# ---------------------------------------------------------------------------------- claim


def claim(session: Session, *, programme: str, district: str, person_id: str, key: str,
          actor: str | None = None) -> dict[str, Any]:
    """Claim a voucher (领券): reserves the programme's top face value from the district pool.

    Errors: ``unknown_programme``, ``unknown_district``, ``invalid_person``, ``window_closed``,
    ``already_claimed`` (one live voucher per person and programme, enforced by a unique index),
    ``pool_exhausted``, ``idempotency_key_reused``.
    """
    prog = _programme(session, programme)
    district = _check_district(district)
    person_id = _check_person(person_id)
    body = {"programme": programme, "district": district, "person_id": person_id}
    actor = actor or person_id

    def act() -> dict[str, Any]:
        on = _business_date(session)
        if not (prog.window_start <= on <= prog.window_end):
            raise E.window_closed("领券", on, prog.window_start, prog.window_end, "date")
        now = _now()
        stmt = (
            dialect_insert(session, V)
            .values(programme=programme, district=district, person_id=person_id, status="claimed",
                    reserved_fen=prog.max_face_fen, clause=prog.clause, claimed_on=on, expires_on=prog.window_end,
                    created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["programme", "person_id"], index_where=_live_where())
            .returning(V.c.id)
        )
        vid = session.execute(stmt).scalar()
        if vid is None:
            raise E.already_claimed(programme, person_id)
        audit.record(session, actor=actor, action="voucher.claimed", entity_type="voucher", entity_id=vid,
                     before=None, after={"status": "claimed", "programme": programme, "district": district,
                                         "person_id": person_id, "reserved_fen": prog.max_face_fen}, business_date=on)
        acc = account_codes(programme, district)
        try:
            e = ledger(actor).transfer(session, acc["issued"], acc["pool"], prog.max_face_fen, key=f"voucher:{vid}:claim",
                                       memo=f"领取{SPECS[programme].name}", data={"clause": prog.clause, "voucher": vid})
        except InsufficientFunds as exc:
            raise E.pool_exhausted(programme, district, exc.details.get("available_fen", 0), prog.max_face_fen) from None
        return {"voucher_id": vid, "programme": programme, "district": district, "person_id": person_id,
                "status": "claimed", "reserved_yuan": fen_to_yuan(prog.max_face_fen), "clause": prog.clause,
                "claimed_on": on.isoformat(), "expires_on": prog.window_end.isoformat(), "entry_id": e.id}

    res = idempotent(session, caller_scope("vouchers.claim", actor), key, body, act)
    return {**res.result, "replayed": res.replayed}


def _live_where():
    from sqlalchemy import text

    return text(LIVE_VOUCHER)


# ---------------------------------------------------------------------------------- redeem


def parse_price(value: Any, field: str = "purchase.price_yuan") -> Decimal:
    if isinstance(value, bool) or value is None:
        raise E.invalid("invalid_price", "价格应为元为单位的数字", "price must be a number of yuan", field)
    try:  # the shared validator: plain decimals of at most 40 characters, no exponent, bounded
        d = validate.decimal_number(value, field, maximum=MAX_PRICE_YUAN)
    except InvalidInput as exc:
        shown = str(value)[:50]
        if exc.code == "out_of_range":
            raise E.invalid("invalid_price", f"价格不合理（超过 {MAX_PRICE_YUAN} 元）", f"absurd price (above {MAX_PRICE_YUAN} yuan)",
                            field, {"value": shown, "max_yuan": str(MAX_PRICE_YUAN)}) from None
        raise E.invalid("invalid_price", f"价格格式不正确：{shown!r}", f"malformed price: {shown!r}", field) from None
    if d <= 0:
        raise E.invalid("invalid_price", "价格必须大于零", "price must be greater than zero", field, {"value": str(value)})
    if d > MAX_PRICE_YUAN:
        raise E.invalid("invalid_price", f"价格不合理（超过 {MAX_PRICE_YUAN} 元）", f"absurd price (above {MAX_PRICE_YUAN} yuan)",
                        field, {"value": str(value), "max_yuan": str(MAX_PRICE_YUAN)})
    if d != d.quantize(Decimal("0.01")):
        raise E.invalid("invalid_price", "价格最多保留两位小数（分）", "price has more than two decimals", field)
    return d.quantize(Decimal("0.01"))


def parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise E.invalid("invalid_date", f"日期格式应为 YYYY-MM-DD：{value!r}", f"expected a date YYYY-MM-DD, got {value!r}",
                        field) from None


def normalise_purchase(programme: str, purchase: Any) -> dict[str, Any]:
    """Validate a purchase before anything is written: price, date and the programme's facts."""
    if not isinstance(purchase, dict):
        raise E.invalid("invalid_purchase", "购买信息应为对象", "purchase must be an object", "purchase")
    spec = SPECS[programme]
    allowed = {"price_yuan", "date", "invoice", *spec.facts}
    extra = sorted(set(purchase) - allowed)
    if extra:
        raise E.invalid("invalid_purchase", f"购买信息含未知字段：{extra[0]}", f"unknown purchase field: {extra[0]}",
                        f"purchase.{extra[0]}")
    out: dict[str, Any] = {"price_yuan": str(parse_price(purchase.get("price_yuan"))),
                           "date": parse_date(purchase.get("date"), "purchase.date").isoformat()}
    if "invoice" in purchase:
        inv = purchase["invoice"]
        if not isinstance(inv, str) or not (1 <= len(inv) <= 100):
            raise E.invalid("invalid_purchase", "发票号应为 1–100 字的文本", "invoice must be 1–100 characters", "purchase.invoice")
        out["invoice"] = inv
    for f in spec.facts:
        if f in purchase and purchase[f] is not None:
            out[f] = purchase[f]
    return out


def _evaluate(programme: str, situation_facts: dict[str, Any], on: dt.date, field: str) -> tuple[int, dict[str, Any]]:
    """Ask the engine for the face value; raise ``not_eligible`` with the failed conditions."""
    spec = SPECS[programme]
    res = engine().calculate({spec.plural: {"purchase": situation_facts}}, on, rule_ids={spec.clause}, explain=True)
    r = next(x for x in res["results"] if x["rule"] == spec.clause)
    failed = [{k: c.get(k) for k in ("id", "text_zh", "text_en", "facts", "reference", "nearest_text_zh") if c.get(k)}
              for c in r["explanation"] if c.get("kind") in ("condition", "validity") and c.get("status") == "fail"]
    if r["status"] != "eligible":
        raise E.not_eligible(spec.clause, failed, r.get("missing_facts", []), field)
    from gazette.ledger.money import yuan_to_fen

    fen = yuan_to_fen(r["amount_yuan"])
    tier = next((c for c in r["explanation"] if c.get("kind") == "tier"), None)
    calc = {"rule": spec.clause, "references": r["references"], "amount_yuan": r["amount_yuan"],
            "tier": tier.get("tier") if tier else None, "on": on.isoformat()}
    return fen, calc


def redeem(session: Session, *, voucher_id: int, purchase: dict[str, Any], key: str,
           actor: str | None = None) -> dict[str, Any]:
    """Redeem a claimed voucher against a purchase (核销). The engine decides the face value
    (tier, price, category, energy label, date window) with its clause; the rest of the reserve
    returns to the pool in the same entry."""
    if isinstance(voucher_id, bool) or not isinstance(voucher_id, int) or voucher_id <= 0:
        raise E.invalid("invalid_voucher_id", "消费券编号应为正整数", "voucher_id must be a positive integer", "voucher_id")
    if not isinstance(purchase, dict):
        raise E.invalid("invalid_purchase", "购买信息应为对象", "purchase must be an object", "purchase")
    body = {"voucher_id": voucher_id, "purchase": purchase}
    scope = caller_scope("vouchers.redeem", actor or f"voucher:{voucher_id}")

    def act() -> dict[str, Any]:
        v = _lock_voucher(session, voucher_id)
        if v.status != "claimed":
            raise E.wrong_status("消费券", v.id, v.status, ("claimed",), "voucher_not_redeemable")
        prog = _programme(session, v.programme)
        p = normalise_purchase(v.programme, purchase)
        on = _business_date(session)
        pdate = dt.date.fromisoformat(p["date"])
        if not (prog.window_start <= pdate <= prog.window_end):
            raise E.window_closed("购买", pdate, prog.window_start, prog.window_end, "purchase.date")
        if pdate > on:
            raise E.invalid("invalid_date", f"购买日期 {pdate} 晚于当前业务日期 {on}", f"purchase date {pdate} is after today ({on})",
                            "purchase.date")
        facts = {k: p[k] for k in p if k != "invoice"}
        facts["district"] = v.district
        face, calc = _evaluate(v.programme, facts, pdate, "purchase")
        face = min(face, v.reserved_fen)
        acc = account_codes(v.programme, v.district)
        lines = [debit(acc["redeemed"], face)]
        if v.reserved_fen - face > 0:
            lines.append(debit(acc["pool"], v.reserved_fen - face))
        lines.append(credit(acc["issued"], v.reserved_fen))
        e = ledger(actor or v.person_id).post(session, lines, key=f"voucher:{v.id}:redeem",
                                              description=f"核销{SPECS[v.programme].name}",
                                              data={"clause": calc["rule"], "voucher": v.id})
        stored = {**p, "calculation": calc}
        _set_status(session, v, "redeemed", face_fen=face, purchase=stored)
        audit.record(session, actor=actor or v.person_id, action="voucher.redeemed", entity_type="voucher",
                     entity_id=v.id, before={"status": "claimed"},
                     after={"status": "redeemed", "face_fen": face, "clause": calc["rule"], "purchase": p},
                     business_date=on)
        return {**voucher_json(v), "status": "redeemed", "face_yuan": fen_to_yuan(face), "purchase": stored,
                "entry_id": e.id}

    res = idempotent(session, scope, key, body, act)
    return {**res.result, "replayed": res.replayed}


# ---------------------------------------------------------------------------------- cancel / expire / refund


def _release(session: Session, v: Voucher, status: str, action: str, memo: str, actor: str, reason: str | None,
             run_id: int | None = None) -> dict[str, Any]:
    acc = account_codes(v.programme, v.district)
    e = ledger(actor).transfer(session, acc["pool"], acc["issued"], v.reserved_fen, key=f"voucher:{v.id}:{status}",
                               memo=memo, data={"clause": v.clause, "voucher": v.id}, run_id=run_id)
    _set_status(session, v, status, reason=reason)
    audit.record(session, actor=actor, action=action, entity_type="voucher", entity_id=v.id,
                 before={"status": "claimed"}, after={"status": status, "returned_fen": v.reserved_fen, "reason": reason})
    return {**voucher_json(v), "status": status, "reason": reason, "entry_id": e.id}


def cancel(session: Session, *, voucher_id: int, key: str, reason: str | None = None,
           actor: str | None = None) -> dict[str, Any]:
    """Cancel an unused voucher (退券): its reserve returns to the pool."""
    body = {"voucher_id": voucher_id, "reason": reason}

    def act():
        v = _lock_voucher(session, voucher_id)
        if v.status != "claimed":
            raise E.wrong_status("消费券", v.id, v.status, ("claimed",), "voucher_not_cancellable")
        return _release(session, v, "cancelled", "voucher.cancelled", "退还未使用消费券", actor or v.person_id, reason)

    res = idempotent(session, caller_scope("vouchers.cancel", actor or f"voucher:{voucher_id}"), key, body, act)
    return {**res.result, "replayed": res.replayed}


def refund(session: Session, *, voucher_id: int, key: str, reason: str | None = None,
           actor: str | None = None) -> dict[str, Any]:
    """A redeemed purchase was returned (退货): the face value returns to the pool and the voucher
    is closed (``refunded``); the person may claim again while the window is open."""
    body = {"voucher_id": voucher_id, "reason": reason}

    def act():
        v = _lock_voucher(session, voucher_id)
        if v.status != "redeemed":
            raise E.wrong_status("消费券", v.id, v.status, ("redeemed",), "voucher_not_refundable")
        acc = account_codes(v.programme, v.district)
        who = actor or v.person_id
        e = ledger(who).transfer(session, acc["pool"], acc["redeemed"], v.face_fen, key=f"voucher:{v.id}:refund",
                                 memo="退货退回消费券资金", data={"clause": v.clause, "voucher": v.id})
        _set_status(session, v, "refunded", reason=reason)
        audit.record(session, actor=who, action="voucher.refunded", entity_type="voucher", entity_id=v.id,
                     before={"status": "redeemed"}, after={"status": "refunded", "returned_fen": v.face_fen,
                                                           "reason": reason})
        return {**voucher_json(v), "status": "refunded", "reason": reason, "entry_id": e.id}

    res = idempotent(session, caller_scope("vouchers.refund", actor or f"voucher:{voucher_id}"), key, body, act)
    return {**res.result, "replayed": res.replayed}


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
        raise E.invalid("invalid_date", f"过期回收日期 {on} 晚于当前业务日期 {today}", f"expiry date {on} is after today ({today})",
                        "on")

    def units():
        with uow() as s:
            rows = s.execute(select(Voucher.id).where(Voucher.status == "claimed", Voucher.expires_on < on)
                             .order_by(Voucher.id)).scalars().all()
        return list(rows)

    def process(session: Session, chunk: list[int], ctx) -> dict[str, int]:
        n = 0
        for vid in chunk:
            v = session.execute(select(Voucher).where(Voucher.id == vid).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
            if v.status != "claimed":
                continue
            _release(session, v, "expired", "voucher.expired", "消费券过期回收", actor, "expired", run_id=ctx.run_id)
            n += 1
        return {"expired": n}

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
        raise E.voucher_not_found(voucher_id)
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
