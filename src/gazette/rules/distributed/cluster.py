"""Where partition tasks run: in this process, on a local Dask cluster, or on an existing one.

``None`` → :class:`Inline` (the same tasks, one after another, no Dask);
``local:N`` → a ``distributed.LocalCluster`` of N worker processes, one thread each (polars limited to
one thread per worker, so N workers use N cores);
``tcp://host:8786`` → a ``distributed.Client`` joined to a running scheduler (workers must have the
same ``gazette`` and policy pack installed: checked before any task runs).
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from gazette.errors import InvalidInput


class _Done:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _resolve(a):
    if isinstance(a, _Done):
        return a.value
    if isinstance(a, list):
        return [_resolve(x) for x in a]
    if isinstance(a, tuple):
        return tuple(_resolve(x) for x in a)
    return a


class Inline:
    """Runs each task at once, in this process."""

    name = "in-process"
    dashboard = None
    workers = 1

    def submit(self, fn, *args, key: str | None = None):
        return _Done(fn(*[_resolve(a) for a in args]))

    def gather(self, futs: list) -> list:
        return [f.value for f in futs]

    def as_completed(self, futs: Iterable) -> Iterator:
        yield from futs

    def broadcast(self, value):
        return _Done(value)

    def run_on_workers(self, fn) -> dict:
        return {"local": fn()}

    def close(self) -> None:
        pass


class Dask:
    """A Dask distributed client (and the LocalCluster it started, if any)."""

    def __init__(self, address: str):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover — a dependency of gazette
            raise InvalidInput("需要安装 dask[distributed]", "dask[distributed] is not installed", field="--cluster") from None
        self.cluster = None
        m = re.fullmatch(r"local:(\d+)", address)
        if m:
            n = int(m.group(1))
            if not 1 <= n <= 256:
                raise InvalidInput("local:N 中 N 应为 1–256", "local:N takes N from 1 to 256", field="--cluster")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=":0",  # any free port (the HTTP routes serve even without bokeh)
                                        silence_logs=logging.ERROR,
                                        env={"POLARS_MAX_THREADS": "1"})
            self.client = Client(self.cluster)
            self.name = f"local cluster of {n} worker processes"
        elif address.startswith(("tcp://", "tls://")):
            try:
                self.client = Client(address, timeout="15s")
            except (OSError, TimeoutError) as exc:
                raise InvalidInput(f"无法连接 Dask 调度器 {address}：{exc}", f"cannot reach the Dask scheduler {address}: {exc}",
                                   field="--cluster", code="cluster_unreachable") from None
            self.name = f"Dask cluster {address}"
        else:
            raise InvalidInput("--cluster 应为 local:N 或 tcp://主机:端口", "--cluster takes local:N or tcp://host:port",
                               field="--cluster")
        self.has_bokeh = importlib.util.find_spec("bokeh") is not None

    @property
    def workers(self) -> int:
        return max(len(self.client.scheduler_info().get("workers", {})), 1)

    @property
    def dashboard(self) -> str | None:
        if self.cluster is not None and not self.has_bokeh:
            return None
        try:
            return self.client.dashboard_link
        except Exception:  # noqa: BLE001
            return None

    def submit(self, fn, *args, key: str | None = None):
        kw: dict[str, Any] = {"pure": False}
        if key:
            kw["key"] = key
        return self.client.submit(fn, *args, **kw)

    def gather(self, futs: list) -> list:
        return self.client.gather(futs)

    def as_completed(self, futs: Iterable) -> Iterator:
        from distributed import as_completed

        yield from as_completed(list(futs))

    def broadcast(self, value):
        return self.client.scatter(value, broadcast=True)

    def run_on_workers(self, fn) -> dict:
        return self.client.run(fn)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def connect(address: str | None):
    return Inline() if not address else Dask(address)
