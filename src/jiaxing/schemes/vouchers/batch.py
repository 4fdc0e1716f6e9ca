"""Group commit for voucher claims (批量领券): many claim requests in one transaction.

On a release day thousands claim at once and every claim must pass through the same guarded pool
balance, so the pool's row lock — held from the balance update to the commit — bounds throughput.
:func:`claim_many` does the work of many :func:`service.claim` calls with set-based statements and
**one ledger entry per pool** (借 issued / 贷 pool, n × the reserve), so the lock is taken once per
batch. :class:`ClaimBatcher` collects concurrent requests in a process (e.g. the API server's
threads) and runs them through ``claim_many``.

Semantics are exactly those of ``claim``, request by request: the same idempotency scope, key and
request hash (a key first used with ``claim`` replays here and vice versa), the same per-person
unique index, the same errors, an audit record per voucher. A request that fails is not recorded
(its key claim is removed) and writes nothing; the others go through.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from gazette.errors import GazetteError
from gazette.ledger._sql import check_key, dialect_insert, jsonable
from gazette.ledger.errors import IdempotencyKeyReused, InsufficientFunds
from gazette.ledger.idempotency import request_hash
from gazette.ledger.money import fen_to_yuan
from gazette.store.ledger_models import AuditLogRow, IdempotencyKeyRow
from jiaxing.schemes.vouchers import errors, service
from jiaxing.schemes.vouchers.models import LIVE_VOUCHER, Voucher
from jiaxing.schemes.vouchers.programmes import SPECS, account_codes

SCOPE = "vouchers.claim"
T = IdempotencyKeyRow.__table__
VOUCHERS = Voucher.__table__


def claim_many(session: Session, requests: list[dict[str, Any]], *, actor: str | None = None) -> list[Any]:
    """Claim for every request ``{"programme", "district", "person_id", "key"}`` in the caller's
    transaction. Returns, per request, the result dict of ``claim`` (with ``replayed``) or the
    :class:`GazetteError` that refused it."""
    out: list[Any] = [None] * len(requests)
    # (scope, key) -> (index, body, digest, actor) of the first request with it; the scope names the
    # caller (service.caller_scope), as ``claim`` does
    todo: dict[tuple[str, str], tuple[int, dict, str, str]] = {}
    dup_of: dict[int, tuple[str, str]] = {}
    for i, req in enumerate(requests):
        try:
            prog = service._programme(session, req.get("programme"))
            district = service._check_district(req.get("district"))
            person = service._check_person(req.get("person_id"))
            key = check_key(req.get("key"))
        except GazetteError as exc:
            out[i] = exc
            continue
        body = {"programme": prog.code, "district": district, "person_id": person}
        digest = request_hash(body)
        who = req.get("actor") or actor or person
        tk = (service.caller_scope(SCOPE, who), key)
        if tk in todo:
            dup_of[i] = tk
            if todo[tk][2] != digest:
                out[i] = IdempotencyKeyReused(*tk)
            continue
        todo[tk] = (i, body, digest, who)
    if todo:
        _run(session, todo, out, actor)
    for i, key in dup_of.items():  # a repeat inside the batch gets the first one's outcome
        if out[i] is None:
            first = out[todo[key][0]]
            out[i] = {**first, "replayed": True} if isinstance(first, dict) else first
    return out


def _stored(session: Session, keys: list[tuple[str, str]]):
    """The stored (scope, key) rows among ``keys``."""
    wanted = set(keys)
    for sc, k, h, result in session.execute(select(T.c.scope, T.c.key, T.c.request_hash, T.c.result).where(
            T.c.scope.in_(sorted({sc for sc, _ in keys})), T.c.key.in_(sorted({k for _, k in keys})))):
        if (sc, k) in wanted:
            yield (sc, k), h, result


def _run(session: Session, todo: dict[tuple[str, str], tuple[int, dict, str, str]], out: list[Any],
         actor: str | None) -> None:
    keys = list(todo)
    # 1. replays: keys stored by an earlier, committed command
    for tk, h, result in list(_stored(session, keys)):
        i, _body, digest, _who = todo.pop(tk)
        out[i] = IdempotencyKeyReused(*tk) if h != digest else {**result, "replayed": True}
    if not todo:
        return
    # 2. claim the remaining keys (a concurrent claimer of the same key blocks us until it commits)
    now = service._now()
    rows = [{"scope": sc, "key": k, "request_hash": d, "result": None, "created_at": now}
            for (sc, k), (_i, _b, d, _w) in sorted(todo.items())]  # a stable order: two batches never deadlock
    claimed = {(r.scope, r.key): r.id for r in session.execute(
        dialect_insert(session, T).on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(T.c.scope, T.c.key, T.c.id), rows)}
    lost = [k for k in todo if k not in claimed]
    if lost:
        for tk, h, result in list(_stored(session, lost)):
            i, _body, digest, _who = todo.pop(tk)
            out[i] = IdempotencyKeyReused(*tk) if h != digest else {**result, "replayed": True}
    if not todo:
        return
    failed: list[str] = []

    def fail(k: tuple[str, str], exc: GazetteError) -> None:
        out[todo[k][0]] = exc
        failed.append(k)

    on = service._business_date(session)
    # 3. the window, then one live voucher per person (the unique index decides)
    pending: list[str] = []
    seen_person: set[tuple[str, str]] = set()
    for k, (_i, b, _d, _w) in todo.items():
        prog = service._programme(session, b["programme"])
        if not (prog.window_start <= on <= prog.window_end):
            fail(k, errors.window_closed("领券", on, prog.window_start, prog.window_end, "date"))
        elif (b["programme"], b["person_id"]) in seen_person:
            fail(k, errors.already_claimed(b["programme"], b["person_id"]))
        else:
            seen_person.add((b["programme"], b["person_id"]))
            pending.append(k)
    vid_of: dict[str, int] = {}
    if pending:
        vrows = []
        for k in sorted(pending, key=lambda k: (todo[k][1]["programme"], todo[k][1]["person_id"])):
            b = todo[k][1]
            prog = service._programme(session, b["programme"])
            vrows.append({"programme": b["programme"], "district": b["district"], "person_id": b["person_id"],
                          "status": "claimed", "reserved_fen": prog.max_face_fen, "clause": prog.clause,
                          "claimed_on": on, "expires_on": prog.window_end, "created_at": now, "updated_at": now})
        stmt = (dialect_insert(session, VOUCHERS)
                .on_conflict_do_nothing(index_elements=["programme", "person_id"], index_where=text(LIVE_VOUCHER))
                .returning(VOUCHERS.c.id, VOUCHERS.c.programme, VOUCHERS.c.person_id))
        got = {(r.programme, r.person_id): r.id for r in session.execute(stmt, vrows)}
        for k in pending:
            b = todo[k][1]
            vid = got.get((b["programme"], b["person_id"]))
            if vid is None:
                fail(k, errors.already_claimed(b["programme"], b["person_id"]))
            else:
                vid_of[k] = vid
    # 4. one ledger entry per pool, pools in account order; what the pool cannot cover is refused
    by_pool: dict[tuple[str, str], list[str]] = {}
    for k in vid_of:
        b = todo[k][1]
        by_pool.setdefault((b["programme"], b["district"]), []).append(k)
    lg = service.ledger(actor or "batch")
    order = sorted(by_pool, key=lambda pd: lg.account(session, account_codes(*pd)["pool"]).id)
    entry_of: dict[str, int] = {}
    for p, d in order:
        ks = sorted(by_pool[(p, d)], key=lambda k: todo[k][0])
        prog = service._programme(session, p)
        acc = account_codes(p, d)
        while ks:
            try:
                e = lg.transfer(session, acc["issued"], acc["pool"], prog.max_face_fen * len(ks),
                                key=f"voucher-batch:{vid_of[ks[0]]}", memo=f"批量领取{SPECS[p].name}（{len(ks)} 张）",
                                data={"clause": prog.clause, "vouchers": [vid_of[k] for k in ks]})
                for k in ks:
                    entry_of[k] = e.id
                break
            except InsufficientFunds as exc:
                fit = min(len(ks) - 1, int(exc.details.get("available_fen", 0)) // prog.max_face_fen)
                for k in ks[fit:]:
                    fail(k, errors.pool_exhausted(p, d, int(exc.details.get("available_fen", 0)), prog.max_face_fen))
                ks = ks[:fit]
    # 5. undo the refused ones (voucher rows, key claims); audit and store the results of the rest
    dead = [vid_of[k] for k in failed if k in vid_of]
    if dead:
        session.execute(delete(Voucher).where(Voucher.id.in_(dead)))
    if failed:
        session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id.in_([claimed[k] for k in failed])))
    done = [k for k in todo if k in entry_of]
    if not done:
        return
    audits, results = [], []
    for k in done:
        b, vid, who = todo[k][1], vid_of[k], todo[k][3]
        prog = service._programme(session, b["programme"])
        res = {"voucher_id": vid, "programme": b["programme"], "district": b["district"], "person_id": b["person_id"],
               "status": "claimed", "reserved_yuan": fen_to_yuan(prog.max_face_fen), "clause": prog.clause,
               "claimed_on": on.isoformat(), "expires_on": prog.window_end.isoformat(), "entry_id": entry_of[k]}
        audits.append({"at": now, "actor": who, "action": "voucher.claimed", "entity_type": "voucher",
                       "entity_id": str(vid), "before": None, "business_date": on,
                       "after": {"status": "claimed", "programme": b["programme"], "district": b["district"],
                                 "person_id": b["person_id"], "reserved_fen": prog.max_face_fen}})
        results.append({"kid": claimed[k], "res": jsonable(res)})
        out[todo[k][0]] = {**res, "replayed": False}
    session.execute(insert(AuditLogRow), audits)
    session.execute(update(T).where(T.c.id == bindparam("kid")).values(result=bindparam("res")), results)


class ClaimBatcher:
    """Collects claim requests from many threads and runs them ``max_batch`` at a time through
    :func:`claim_many`, one transaction per batch (group commit): a batch is whatever queued up
    while the previous one was committing (``max_wait`` > 0 also waits that long for more). If a batch's transaction fails
    as a whole (say the database connection drops), each of its requests is retried alone through
    :func:`service.claim`, so a request never silently disappears.

        batcher = ClaimBatcher(unit_of_work)
        result = batcher.claim(programme="nev", district="南湖区", person_id="p1", key="k1")  # blocks
    """

    def __init__(self, uow: Callable[[], AbstractContextManager[Session]], *, max_batch: int = 64,
                 max_wait: float = 0.0):
        self.uow = uow
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.q: queue.Queue[tuple[dict, Future] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="claim-batcher", daemon=True)
        self.thread.start()

    def claim(self, **req: Any) -> dict[str, Any]:
        fut: Future = Future()
        self.q.put((req, fut))
        res = fut.result()
        if isinstance(res, BaseException):
            raise res
        return res

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()

    def _loop(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            # Take what is already queued (plus, with max_wait, what arrives meanwhile): under load,
            # requests pile up while the previous batch commits, so batches grow by themselves.
            batch = [item]
            deadline = time.monotonic() + self.max_wait
            while len(batch) < self.max_batch:
                try:
                    wait = deadline - time.monotonic()
                    nxt = self.q.get(timeout=wait) if wait > 0 else self.q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self.q.put(None)
                    break
                batch.append(nxt)
            try:
                with self.uow() as s:
                    if s.get_bind().dialect.name == "postgresql":
                        results = _one_statement_each(s, [r for r, _f in batch])
                    else:
                        results = claim_many(s, [r for r, _f in batch])
                results = [self._alone(r) if res is _ALONE else res for (r, _f), res in zip(batch, results, strict=True)]
            except Exception:  # noqa: BLE001 - the whole transaction failed: one by one
                results = []
                for r, _f in batch:
                    try:
                        with self.uow() as s:
                            results.append(service.claim(s, **r))
                    except Exception as exc:  # noqa: BLE001
                        results.append(exc)
            for (_r, f), res in zip(batch, results, strict=True):
                f.set_result(res)

    def _alone(self, r: dict) -> Any:
        try:
            with self.uow() as s:
                return service.claim(s, **r)
        except Exception as exc:  # noqa: BLE001
            return exc


_ALONE = object()  # a request the one-statement path left to the general path, run in its own transaction


def _one_statement_each(session: Session, requests: list[dict[str, Any]]) -> list[Any]:
    """PostgreSQL: the batch's claims in one statement (:func:`.hotpath.claim_many`), one function call
    each, in the batch's transaction, pools in the order their accounts were opened (two batches
    never wait on each other's pools in a cycle). A refused claim writes nothing, so the others go
    on; a claim the statement leaves to the general path (``None``) runs alone afterwards. A race
    found after a write aborts the batch's transaction: the error propagates and the batcher runs
    each request alone."""
    from jiaxing.schemes.vouchers import hotpath
    from jiaxing.schemes.vouchers.commands import ClaimVoucher
    from jiaxing.schemes.vouchers.programmes import DISTRICTS

    out: list[Any] = [None] * len(requests)
    cmds: list[tuple[int, ClaimVoucher]] = []
    for i, req in enumerate(requests):
        try:
            programme = service.core.check_programme(req.get("programme"))
            district = service.core.check_district(req.get("district"))
            person = service.core.check_person(req.get("person_id"))
            cmds.append((i, ClaimVoucher(idempotency_key=check_key(req.get("key")),
                                         actor=req.get("actor") or person,
                                         programme=programme, district=district, person_id=person)))
        except GazetteError as exc:
            out[i] = exc
    order = {p: n for n, p in enumerate(SPECS)}
    cmds.sort(key=lambda ic: (order[ic[1].programme], DISTRICTS.index(ic[1].district), ic[0]))
    answers = hotpath.claim_many(session, [cmd for _i, cmd in cmds])
    for (i, _cmd), res in zip(cmds, answers, strict=True):
        out[i] = _ALONE if res is None else res
    return out
