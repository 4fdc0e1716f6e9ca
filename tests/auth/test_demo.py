"""`gazette demo`: the demo users and data, and running it twice changes nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from gazette.auth import users as users_service
from gazette.auth.demo import DEMO_PASSWORD, DEMO_USERS
from gazette.cli import app as cli
from gazette.store.db import unit_of_work
from tests.auth.conftest import new_client, wipe
from tests.auth.test_route_matrix import snapshot


def test_demo_is_complete_and_idempotent(db_url):
    wipe(db_url)
    r = CliRunner().invoke(cli, ["demo"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["users_created"] == [u["username"] for u in DEMO_USERS]
    assert out["data"]["vouchers"]["business_date"] == "2022-10-08"
    with unit_of_work() as s:
        users = {u["username"]: u for u in users_service.list_users(s)}
        for spec in DEMO_USERS:
            assert users_service.authenticate(s, spec["username"], DEMO_PASSWORD) is not None
    assert users["officer-nanhu"]["district"] == "南湖区" and users["officer-xiuzhou"]["district"] == "秀洲区"
    assert users["citizen"]["person_id"] == "330402199001011230"
    assert users["enterprise"]["enterprise_id"] == "91330400700000001B"
    assert users["worker"]["person_id"] == "330411198806060023"

    from jiaxing.schemes.provident_fund.models import FundAccount
    from jiaxing.schemes.vouchers.models import Application, Voucher

    with unit_of_work() as s:
        # the journeys start clean: the citizen holds no voucher, the worker has no fund account
        assert s.scalar(select(func.count()).select_from(Voucher)
                        .where(Voucher.person_id == "330402199001011230")) == 0
        assert s.scalar(select(func.count()).select_from(FundAccount)
                        .where(FundAccount.person_id == "330411198806060023")) == 0
        assert s.scalar(select(func.count()).select_from(FundAccount)) >= 3
        districts = set(s.scalars(select(Voucher.district)))
        assert len(districts) >= 4
        apps = dict(s.execute(select(Application.enterprise_id, Application.status)).all())
    assert apps["91330400700000001B"] == "offered"  # 免申即享: the milestone reward
    assert len(set(apps.values())) >= 3

    c = new_client()
    tok = c.post("/api/v1/auth/tokens", json={"username": "enterprise", "password": DEMO_PASSWORD}).json()["token"]
    mine = c.get("/api/v1/applications", headers={"Authorization": f"Bearer {tok}"}).json()
    assert [(a["clause"], a["amount_yuan"]) for a in mine] == [("嘉政办发〔2022〕10号#四.（三）", "200000.00")]

    before = snapshot()
    r = CliRunner().invoke(cli, ["demo"])
    assert r.exit_code == 0 and json.loads(r.stdout)["users_created"] == []
    assert snapshot() == before
