"""One Dask LocalCluster of 2 worker processes (1 thread each) shared by the distributed tests."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="session")
def dask_cluster():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR, env={"POLARS_MAX_THREADS": "1"})
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="session")
def engine():
    from gazette.rules.engine import get_engine

    return get_engine()
