"""Bounded pools for the slow synchronous work a request may cause, off the event loop.

* **Parsing** an upload (``/api/v1/parse``, the parse of ``/api/v1/ingest``) runs in a process pool
  of ``GAZETTE_CPU_WORKERS`` processes: pure-Python parsing holds the GIL, so a thread would still
  slow every other request; a parse that exceeds ``GAZETTE_PARSE_TIMEOUT_SECONDS`` is stopped (its
  process is killed and the pool rebuilt) and answered 503.
* **Password hashing** (argon2id at login and token creation) runs in a pool of
  ``GAZETTE_LOGIN_WORKERS`` threads (argon2 releases the GIL), not in the shared threadpool where
  40 parallel logins would starve every synchronous endpoint.

Each pool admits its workers plus ``GAZETTE_WORK_QUEUE`` waiting requests; beyond that a request is
answered at once with 503 and ``Retry-After`` instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

from gazette.errors import Unavailable
from gazette.settings import get_settings

T = TypeVar("T")
RETRY_AFTER = 5  # seconds a refused client is asked to wait


class Busy(Unavailable):
    def __init__(self, what: str):
        super().__init__(f"服务器繁忙（{what}），请稍后再试", f"the server is busy ({what}); retry later",
                         code="server_busy", details={"retry_after": RETRY_AFTER})
        self.retry_after = RETRY_AFTER


class TimedOut(Unavailable):
    def __init__(self, seconds: float):
        super().__init__(f"解析超过时限（{seconds:g} 秒），已中止", f"parsing took longer than {seconds:g} s and was stopped",
                         field="file", code="parse_timeout",
                         details={"retry_after": RETRY_AFTER, "timeout_seconds": seconds})
        self.retry_after = RETRY_AFTER


class _Pool:
    def __init__(self, name: str, make: Callable[[], Any], workers: int, queue: int):
        self.name = name
        self._make = make
        self.workers = workers
        self._slots = threading.BoundedSemaphore(workers + queue)
        self._lock = threading.Lock()
        self._executor = None

    def executor(self):
        with self._lock:
            if self._executor is None:
                self._executor = self._make(self.workers)
            return self._executor

    def reset(self, kill: bool = False) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is None:
            return
        if kill and isinstance(ex, ProcessPoolExecutor):
            for proc in list(getattr(ex, "_processes", {}).values()):
                proc.kill()
        ex.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        if not self._slots.acquire(blocking=False):
            raise Busy(self.name)
        try:
            # submitting may start worker processes (a fork through the forkserver, which may itself be
            # starting): that waits, so it is done off the event loop
            future = asyncio.wrap_future(await asyncio.to_thread(self.executor().submit, fn, *args))
            if timeout is None:
                return await future
            try:
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                self.reset(kill=True)  # the only way to stop a runaway parse
                raise TimedOut(timeout) from None
        finally:
            self._slots.release()


NICE = 5  # workers yield the CPU to the event loop (Linux: per thread; elsewhere: best effort)


def _lower_priority() -> None:
    """Run this worker (thread or process) at a lower scheduling priority, so that CPU-heavy work
    (argon2 uses several lanes per hash) never starves the thread answering health checks."""
    try:
        if threading.current_thread() is threading.main_thread():
            os.nice(NICE)
        else:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):  # pragma: no cover - not Linux, or not permitted
        pass


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(name: str) -> _Pool:
    with _pools_lock:
        pool = _pools.get(name)
        if pool is None:
            st = get_settings()
            if name == "parse":
                import multiprocessing

                ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
                pool = _Pool("parse", lambda n: ProcessPoolExecutor(n, mp_context=ctx, initializer=_lower_priority),
                             max(1, st.cpu_workers), max(0, st.work_queue))
            else:
                pool = _Pool("login", lambda n: ThreadPoolExecutor(n, thread_name_prefix="gazette-login",
                                                                    initializer=_lower_priority),
                             max(1, st.login_workers), max(0, st.work_queue))
            _pools[name] = pool
        return pool


def _parse_to_result(data: bytes, filename: str | None):
    from gazette.corpus.parse import parse_bytes

    return parse_bytes(data, filename=filename)


def _parse_to_json(data: bytes, filename: str | None) -> bytes:
    import json

    from gazette.corpus.parse import parse_bytes

    return json.dumps(parse_bytes(data, filename=filename).to_dict(), ensure_ascii=False, default=str).encode()


async def parse_json(data: bytes, filename: str | None) -> bytes:
    """The parse of an upload as JSON bytes — parsed *and serialised* in a worker process, so that a
    large answer costs the server's event loop nothing."""
    return await _pool("parse").run(_parse_to_json, data, filename, timeout=get_settings().parse_timeout_seconds)


async def parse(data: bytes, filename: str | None) -> Any:
    """The :class:`~gazette.corpus.model.ParseResult` of an upload, parsed in a worker process within the
    time budget."""
    return await _pool("parse").run(_parse_to_result, data, filename,
                                    timeout=get_settings().parse_timeout_seconds)


async def login(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` (password verification and its transaction) in the login pool."""
    return await _pool("login").run(fn, *args)


def shutdown() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for p in pools:
        p.reset(kill=True)
