"""Voucher-claim benchmark on PostgreSQL: claims per second through the service at 1, 8 and 32
concurrent clients, beside the anchor measured in the same run — a raw conditional UPDATE
(``UPDATE pool SET remaining = remaining - :x WHERE remaining >= :x``, one transaction per claim)
on a pool of the same size, with the same clients and the same number of attempts.

Our claim does everything a real claim must: idempotency key, per-person limit (unique index),
voucher row, audit record, a double-entry ledger entry with guarded balances. Each client is a
separate process (its own connection), so the figures are not limited by Python's GIL. Each pool
holds 95% of the attempts, so the last claims are refused: the run also proves zero overspend.
Each level is measured in rounds (ours, batched, anchor, seconds apart) and the medians reported: one
2-second sample on this shared machine moved the ratio by ±0.1 from run to run.

    .venv/bin/python bench/bench_vouchers.py [--claims 2000] [--clients 1,8,32] [--rounds 3]
    GAZETTE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/vouchers_bench (default)

Benchmarks are not tests: this prints figures; it exits 0 with a message when PostgreSQL is unreachable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from gazette.validate import example_person_id  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/vouchers_bench"
MAX_FEN = 10000_00  # NEV top tier reserved per claim
DISTRICT = "南湖区"


def _uow_factory(url: str):
    from contextlib import contextmanager

    engine = create_engine(url, pool_size=2, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    @contextmanager
    def uow():
        s = factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    return uow, engine


def _ours(url: str, level: int, worker: int, n: int, barrier, out) -> None:
    """One client: ``n`` claims one after another, each its own transaction, as the API's route makes
    them — awaited on an event loop's own connection (:func:`.commands.run_async`)."""
    import asyncio

    from gazette.errors import GazetteError
    from gazette.store import aio
    from gazette.store.db import dispose_engines
    from jiaxing.schemes.vouchers import service
    from jiaxing.schemes.vouchers.commands import run_async
    from jiaxing.schemes.vouchers.programmes import programme_facts

    programme_facts("nev")  # load the engine before the clock starts
    _use_database(url)

    # the requests' data made before the clock, as the anchor's is: the clock measures the claims
    requests = [(example_person_id(worker * n + i), f"bench-{level}-{worker}-{i}") for i in range(n)]

    async def claims() -> tuple[int, int]:
        ok = refused = 0
        await aio.open_pool(min_size=1, max_size=1)  # one client, one connection, opened before the clock
        await aio.fetch_one(text("SELECT 1"), {})
        await asyncio.to_thread(barrier.wait)
        for person_id, key in requests:
            try:
                await run_async(service.claim_command(programme="nev", district=DISTRICT, person_id=person_id,
                                                      key=key))
                ok += 1
            except GazetteError as exc:
                if exc.code != "pool_exhausted":
                    raise
                refused += 1
        await aio.close_pool()
        return ok, refused

    out.put(_event_loop_run(claims()))  # the loop the API server runs its routes on (uvicorn's auto: uvloop)
    dispose_engines()


def _use_database(url: str) -> None:
    """Point the service's own engine (the one the API uses, with its pool settings) at ``url``, in a
    client process just forked (the parent's pooled connections are left to the parent)."""
    from gazette.settings import reset_settings_cache
    from gazette.store.db import dispose_engines

    dispose_engines(close=False)
    os.environ["GAZETTE_DATABASE_URL"] = url
    reset_settings_cache()


def _ours_batched(url: str, clients: int, total: int, out) -> None:
    """``clients`` threads in one process (an API server's request threads) claim through the
    :class:`ClaimBatcher` (group commit)."""
    import threading

    from gazette.errors import GazetteError
    from jiaxing.schemes.vouchers.batch import ClaimBatcher
    from jiaxing.schemes.vouchers.programmes import programme_facts

    programme_facts("nev")
    uow, engine = _uow_factory(url)
    batcher = ClaimBatcher(uow, max_batch=64)
    per = total // clients
    counts = [[0, 0] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(w: int) -> None:
        barrier.wait()
        for i in range(per):
            try:
                batcher.claim(programme="nev", district=DISTRICT, person_id=example_person_id(w * per + i),
                              key=f"batch-{clients}-{w}-{i}")
                counts[w][0] += 1
            except GazetteError as exc:
                if exc.code != "pool_exhausted":
                    raise
                counts[w][1] += 1

    threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    batcher.close()
    engine.dispose()
    out.put((elapsed, sum(c[0] for c in counts), sum(c[1] for c in counts)))


def _measure_batched(url: str, clients: int, total: int) -> tuple[float, int, int]:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    p = ctx.Process(target=_ours_batched, args=(url, clients, total, out))
    p.start()
    res = out.get()
    p.join()
    if p.exitcode != 0:
        raise SystemExit(f"the batched client process failed (exit {p.exitcode})")
    return res


def _anchor(url: str, level: int, worker: int, n: int, barrier, out) -> None:
    engine = create_engine(url, pool_size=2, max_overflow=0)
    ok = refused = 0
    stmt = text("UPDATE bench_pool SET remaining = remaining - :x WHERE id = 1 AND remaining >= :x")
    barrier.wait()
    for _ in range(n):
        with engine.begin() as conn:
            if conn.execute(stmt, {"x": MAX_FEN}).rowcount == 1:
                ok += 1
            else:
                refused += 1
    out.put((ok, refused))
    engine.dispose()


def _measure(target, url: str, clients: int, total: int) -> tuple[float, int, int]:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    per = total // clients
    procs = [ctx.Process(target=target, args=(url, clients, w, per, barrier, out)) for w in range(clients)]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a client failed (exit {p.exitcode})")
    return elapsed, sum(r[0] for r in results), sum(r[1] for r in results)


def _reset(url: str) -> None:
    from gazette.store.migrate import upgrade

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_pool (id int PRIMARY KEY, remaining bigint NOT NULL CHECK (remaining >= 0))"))
    engine.dispose()


def _prepare(url: str, budget_fen: int) -> None:
    import jiaxing.schemes.vouchers  # noqa: F401
    from gazette.store.base import Base
    from jiaxing.schemes.vouchers import service

    uow, engine = _uow_factory(url)
    with uow() as s:
        # emptied, not deleted from: a level does not inherit the last one's dead rows (nor the
        # autovacuum that comes for them in the middle of its clock)
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        s.execute(text(f"TRUNCATE {names}, bench_pool RESTART IDENTITY"))
        s.execute(text("INSERT INTO bench_pool VALUES (1, :b)"), {"b": budget_fen})
    with uow() as s:
        service.setup(s, budgets={"nev": {DISTRICT: budget_fen}}, programmes=("nev",))
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))
    engine.dispose()


def _check(url: str, budget_fen: int) -> dict:
    from gazette.ledger import Ledger
    from jiaxing.schemes.vouchers.models import Voucher

    uow, engine = _uow_factory(url)
    with uow() as s:
        lg = Ledger("vouchers")
        pool = lg.balance(s, f"pool:nev:{DISTRICT}")
        issued = lg.balance(s, f"issued:nev:{DISTRICT}")
        vouchers = s.execute(select(func.count()).select_from(Voucher)).scalar()
        anchor_left = s.execute(text("SELECT remaining FROM bench_pool WHERE id = 1")).scalar()
        ok = lg.verify(s).ok
    engine.dispose()
    return {"overspend_fen": max(0, issued - budget_fen), "pool_fen": pool, "issued_ok": issued == vouchers * MAX_FEN,
            "identity_ok": pool + issued == budget_fen, "ledger_ok": ok, "anchor_left_fen": anchor_left}


def _event_loop_run(coro):
    """``asyncio.run`` on uvloop when installed (it is with uvicorn's standard extras, and the API
    server runs on it): the HTTP generator shares the two CPUs with the server and the database, and
    uvloop needs less of them; the claim clients run their claims on the loop the routes run on."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux and macOS
        import asyncio

        return asyncio.run(coro)
    return uvloop.run(coro)


#: Seconds of requests at the rate before the measured ones: the server goes from idle to the rate
#: in the lead-in (its first ~70 ms at the rate were slower, whatever the warm-up before).
LEAD_IN_S = 0.5
OPEN_CONNECTIONS = 16  # the generator's keep-alive connections ready at the start


def _open_loop(port: int, requests: list[bytes], rate: int, lead_in: int = 0) -> tuple[list[float], list[int], float]:
    """Send ``requests`` (whole HTTP/1.1 requests) to 127.0.0.1:``port``, request i at i / ``rate`` s
    whatever the answers before it (open loop), over keep-alive connections (a new one whenever all
    are busy). Returns each request's latency from its planned start, its status, and the elapsed
    time (a request that gets no answer counts as status -1). asyncio on raw sockets in one thread
    instead of 24 httpx threads, whose CPU and GIL hand-offs shared the server's two CPUs; its own
    CPU per request is reported (``generator_cpu_ms_per_request``: 0.38–0.56 ms on 2026-12-04)."""
    import asyncio
    import gc

    n = len(requests)
    lat: list[float] = [0.0] * n
    codes: list[int] = [0] * n
    idle: list = []

    async def exchange(conn, data: bytes) -> int:
        reader, writer = conn
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        return int(head[9:12])

    async def one(i: int, t_planned: float) -> None:
        conn = idle.pop() if idle else None
        try:
            if conn is not None:
                try:
                    code = await exchange(conn, requests[i])
                except (asyncio.IncompleteReadError, ConnectionError):  # closed by the server while idle
                    conn[1].close()
                    conn = None
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
                code = await exchange(conn, requests[i])
            idle.append(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            code = -1
        codes[i] = code
        lat[i] = time.perf_counter() - t_planned

    async def run() -> float:
        # keep-alive connections opened before the clock starts, as a client already talking to the
        # server has them: the run measures requests, not the generator's first connects
        for _ in range(OPEN_CONNECTIONS):
            idle.append(await asyncio.open_connection("127.0.0.1", port))
        tasks = []
        t0 = time.perf_counter() + 0.2
        for i in range(n):
            t_planned = t0 + i / rate
            delay = t_planned - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, t_planned)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0 - lead_in / rate
        for _, writer in idle:
            writer.close()
        return elapsed

    # the bench's own heap (imports, earlier levels) is frozen first: a full collection of it in the
    # middle of the run stalled the generator ~100 ms and every request planned meanwhile showed it
    gc.collect()
    gc.freeze()
    try:
        elapsed = _event_loop_run(run())
    finally:
        gc.unfreeze()
    return lat[lead_in:], codes[lead_in:], elapsed


def _http(url: str, rate: int, requests: int, budget_fen: int, workers: int = 1) -> dict:
    """``POST /api/v1/vouchers/claims`` at ``rate`` requests a second (open loop: request i leaves at
    i / ``rate`` s whatever the answers before it) against the API server run as ``gazette serve``
    runs it (:func:`gazette.api.server.run`, access log off) on 127.0.0.1; latency from the planned
    start, so a queue shows. Bounded: ``requests`` requests, then the server stops."""
    import resource
    import socket
    import subprocess

    import httpx

    from gazette.auth.testing import bearer

    lead_in = int(rate * LEAD_IN_S)
    _prepare(url, budget_fen + (20 + lead_in) * MAX_FEN)
    headers = bearer("bench-admin", "city_admin", url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "GAZETTE_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
    serve = ("from gazette.api.server import run; "
             f"run('gazette.api.app:create_app', host='127.0.0.1', port={port}, factory=True, "
             f"workers={workers}, log_level='warning', access_log=False)")
    server = subprocess.Popen([sys.executable, "-c", serve], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/api/v1/vouchers/pools", headers=headers, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("the API server did not start: " + server.stderr.read().decode()[-2000:])
        # warm the server (the rules engine loads on the first claim) outside the measurement
        for i in range(20):
            httpx.post(f"{base}/api/v1/vouchers/claims", headers={**headers, "Idempotency-Key": f"warm-{i}"},
                       json={"programme": "nev", "district": DISTRICT, "person_id": example_person_id(900_000 + i)},
                       timeout=60)
        wire = []
        for i in range(-lead_in, requests):  # the lead-in's first, at the same rate, not measured
            body = json.dumps({"programme": "nev", "district": DISTRICT,
                               "person_id": example_person_id(500_000 + i)}).encode()
            wire.append((f"POST /api/v1/vouchers/claims HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                         f"Authorization: {headers['Authorization']}\r\nIdempotency-Key: http-{i}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        cpu0, server0 = resource.getrusage(resource.RUSAGE_SELF), _cpu_seconds(server.pid)
        lat, codes, elapsed = _open_loop(port, wire, rate, lead_in)
        cpu1, server1 = resource.getrusage(resource.RUSAGE_SELF), _cpu_seconds(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(lat)
    ok = sum(1 for c in codes if c == 200)
    refused = sum(1 for c in codes if c == 409)
    gen_cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    sent = requests + lead_in  # the CPU figures are per request sent, the lead-in's included
    return {"rate_per_s": rate, "requests": requests, "lead_in_requests": lead_in, "server_workers": workers,
            "achieved_per_s": round(requests / elapsed, 1),
            "ok": ok, "refused": refused, "other": requests - ok - refused,
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2),
            "generator_cpu_ms_per_request": round(gen_cpu * 1000 / sent, 3),
            "server_cpu_ms_per_request": round((server1 - server0) * 1000 / sent, 3)}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its worker processes, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _round(url: str, c: int, total: int) -> dict:
    """One measurement of the three, ours first, on pools of the same size; their checks."""
    budget = (total * 95 // 100) * MAX_FEN
    want = budget // MAX_FEN
    _prepare(url, budget)
    t_ours, ok_ours, _ = _measure(_ours, url, c, total)
    chk1 = _check(url, budget)
    _prepare(url, budget)
    t_batch, ok_batch, _ = _measure_batched(url, c, total)
    chk2 = _check(url, budget)
    t_anchor, ok_anchor, _ = _measure(_anchor, url, c, total)
    bad = [chk for chk in (chk1, chk2) if not (chk["identity_ok"] and chk["issued_ok"] and chk["ledger_ok"]
                                               and chk["pool_fen"] >= 0)]
    return {"ours": total / t_ours, "batched": total / t_batch, "anchor": total / t_anchor,
            "overspend_fen": max(chk1["overspend_fen"], chk2["overspend_fen"]),
            "checks_ok": not bad and ok_ours == ok_batch == ok_anchor == want}


def _level(url: str, c: int, claims: int, rounds: int) -> dict:
    """``rounds`` rounds, each ours, batched and anchor one after another; the medians. The ratios are
    the medians of each round's own ratio: a round's figures are seconds apart, so a shift in this
    shared machine's speed between rounds moves both sides of a ratio alike."""
    total = (claims // c) * c
    runs = [_round(url, c, total) for _ in range(rounds)]
    ours, batched, anchor = (statistics.median(r[k] for r in runs) for k in ("ours", "batched", "anchor"))
    return {"clients": c, "attempts": total, "rounds": rounds,
            "ours_per_s": round(ours, 1), "batched_per_s": round(batched, 1), "anchor_per_s": round(anchor, 1),
            "ours_ratio": round(statistics.median(r["ours"] / r["anchor"] for r in runs), 3),
            "batched_ratio": round(statistics.median(r["batched"] / r["anchor"] for r in runs), 3),
            "ours_ratio_rounds": [round(r["ours"] / r["anchor"], 3) for r in runs],
            "batched_ratio_rounds": [round(r["batched"] / r["anchor"], 3) for r in runs],
            "overspend_fen": max(r["overspend_fen"] for r in runs),
            "checks_ok": all(r["checks_ok"] for r in runs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=2000, help="attempts per concurrency level")
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per level; the medians are reported")
    ap.add_argument("--http-rate", type=int, default=300, help="requests a second for the HTTP measurement (0: skip)")
    ap.add_argument("--http-requests", type=int, default=1500)
    ap.add_argument("--http-workers", type=int, default=1, help="server processes (gazette serve --workers)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    url = os.environ.get("GAZETTE_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        from gazette.store.probe import ensure_database

        ensure_database(url)
        eng = create_engine(url)
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001
        msg = f"bench_vouchers: PostgreSQL unreachable at {url} ({type(exc).__name__}); skipped. Is the server running?"
        print(json.dumps({"skipped": msg}) if args.json else msg)
        return
    _reset(url)
    rounds = max(1, args.rounds)
    levels = []
    if not args.json:
        print(f"voucher claims on PostgreSQL ({url.split('@')[-1]}), {args.claims} attempts per level, "
              f"medians of {rounds} rounds, "
              f"pool = 95% of attempts × 10,000 yuan")
        print("ours = service.claim, one transaction per claim, each client its own process; "
              "batched = service claims through ClaimBatcher (group commit), clients are threads of one process; "
              "anchor = raw conditional UPDATE, each client its own process")
        print(f"{'clients':>7} | {'ours/s':>7} | {'batched/s':>9} | {'anchor/s':>8} | {'ours/anchor':>11} | "
              f"{'batched/anchor':>14} | overspend | checks")
    for c in [int(x) for x in args.clients.split(",")]:
        r = _level(url, c, args.claims, rounds)
        levels.append(r)
        if not args.json:
            print(f"{c:>7} | {r['ours_per_s']:>7.0f} | {r['batched_per_s']:>9.0f} | {r['anchor_per_s']:>8.0f} | "
                  f"{r['ours_ratio']:>11.2f} | {r['batched_ratio']:>14.2f} | {r['overspend_fen']:>9} | "
                  f"{'ok' if r['checks_ok'] else 'FAILED'}", flush=True)
    http = None
    if args.http_rate > 0:
        http = _http(url, args.http_rate, args.http_requests, (args.http_requests * 95 // 100) * MAX_FEN,
                     args.http_workers)
        if not args.json:
            print(f"POST /api/v1/vouchers/claims at {http['rate_per_s']}/s ({http['requests']} requests, loopback): "
                  f"p50 {http['p50_ms']} ms, p99 {http['p99_ms']} ms, max {http['max_ms']} ms; "
                  f"{http['ok']} claimed, {http['refused']} refused, {http['other']} other; "
                  f"server CPU {http['server_cpu_ms_per_request']} ms a request", flush=True)
    if args.json:
        print(json.dumps({"bench": "vouchers", "database": url.split("@")[-1], "attempts_per_level": args.claims,
                          "rounds": rounds,
                          "levels": levels, "http": http}, ensure_ascii=False))


if __name__ == "__main__":
    main()
