"""Demo data of the Jiaxing pack, loaded by ``gazette demo`` (see gazette.auth.demo).

Every step is idempotent — a keyed money command replays, a run keyed by date is a no-op, a
state change happens only from the expected state — so running ``gazette demo`` twice changes
nothing. Demo person ids never collide with the demo users' own, so the citizen and worker
journeys start clean (the ``citizen`` has no voucher yet; the ``worker`` has no fund account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

DEMO_DATE = dt.date(2022, 10, 8)  # the voucher business date (47号 in force; 46号 window open)
FUND_DATE = dt.date(2022, 10, 8)

DEMO_ENTERPRISE = "91330400700000001B"  # the `enterprise` user: a software company
ENTERPRISES = [
    {"id": DEMO_ENTERPRISE, "name": "嘉兴示范软件有限公司（演示）", "district": "南湖区",
     # software revenue grew from 18 to 21 million: the 20-million milestone is newly reached
     # (200,000 yuan, 嘉政办发〔2022〕10号#四.（三）); 30 million is not — the engine says why.
     "facts": {"software_enterprise": True, "software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}},
    {"id": "91330411700000002C", "name": "秀洲新能源汽车销售有限公司（演示）", "district": "秀洲区", "facts": {}},
    {"id": "91330402700000003E", "name": "南湖家电商贸有限公司（演示）", "district": "南湖区", "facts": {}},
]

NEV_SHOW = "嘉政办发〔2022〕47号#二"
NEV_FACTS = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}

# (person_id, programme, district, purchase or None): demo vouchers in several districts.
VOUCHERS = [
    ("330402198501010010", "nev", "南湖区", {"price_yuan": "250000.00", "date": "2022-10-08", "new_energy": True}),
    ("330402198501010029", "nev", "南湖区", None),
    ("330402198501010037", "appliances", "南湖区",
     {"price_yuan": "4500.00", "date": "2022-10-08", "category": "refrigerator", "energy_label": 1}),
    ("330411198501010017", "nev", "秀洲区", {"price_yuan": "180000.00", "date": "2022-10-08", "new_energy": True}),
    ("330411198501010025", "nev", "秀洲区", None),
    ("33042119850101001X", "nev", "嘉善县", None),
    ("330481198501010016", "nev", "海宁市", {"price_yuan": "120000.00", "date": "2022-10-08", "new_energy": True}),
    ("330483198501010019", "appliances", "桐乡市", None),
]

# Demo fund accounts (never the `worker` user's person id 330411198806060023).
FUND_ACCOUNTS = [
    ("33040219850302001X", "王五（演示）", "male", dt.date(1985, 3, 2), 5000_00, "12"),
    ("330402199207150025", "赵六（演示）", "female", dt.date(1992, 7, 15), 4000_00, "10"),
    ("330402197811300035", "孙七（演示）", "male", dt.date(1978, 11, 30), 8000_00, "15"),
]


def run() -> dict[str, Any]:
    from gazette.store.db import unit_of_work

    out: dict[str, Any] = {}
    out["vouchers"] = _vouchers(unit_of_work)
    out["enterprises"] = _enterprises(unit_of_work)
    out["fund"] = _fund(unit_of_work)
    from jiaxing.schemes.budget import demo as budget_demo

    out["budget"] = budget_demo.run()  # users dept-edu, finance, approver and the 2023 budget year
    from jiaxing.schemes.resident_pension import demo as pension_demo

    out["pension"] = pension_demo.run()  # pension-officer, approver, pensioner; payroll 2022 (嘉人社〔2022〕60号)
    from jiaxing.schemes.airspace.demo import demo as airspace_demo

    out["airspace"] = airspace_demo()  # police, flight-approver, drone-owner; devices, flights (嘉政发〔2022〕17号)
    from jiaxing.schemes.supervision import demo as supervision_demo

    out["supervision"] = supervision_demo.run()  # unit-haiguan, unit-shujuban, supervisor; register, 45 projects
    from jiaxing.schemes.ltc import intake_demo as ltc_intake_demo

    out["ltc_intake"] = ltc_intake_demo.run()  # ltc-officer, ltc-assessor, ltc-expert-1…4, ltc-family (嘉政发〔2022〕21号)
    from jiaxing.schemes.ltc import care_demo

    out["ltc_care"] = care_demo.run()  # care-provider, care-worker, care-officer, care-elder; visits, settlement 2023
    return out


def _vouchers(uow) -> dict[str, Any]:
    from jiaxing.schemes.vouchers import service

    with uow() as s:
        service.setup(s)
    with uow() as s:
        if service.ledger().business_date(s) < DEMO_DATE:
            service.set_business_date(s, DEMO_DATE, actor="demo")
    claimed = 0
    for person, programme, district, purchase in VOUCHERS:
        with uow() as s:
            res = service.claim(s, programme=programme, district=district, person_id=person,
                                key=f"demo-claim-{person}-{programme}", actor="demo")
        claimed += not res["replayed"]
        if purchase is not None:
            with uow() as s:
                service.redeem(s, voucher_id=res["voucher_id"], purchase=purchase, key=f"demo-redeem-{person}",
                               actor="demo")
    return {"business_date": DEMO_DATE.isoformat(), "vouchers_claimed": claimed}


def _enterprises(uow) -> dict[str, Any]:
    from jiaxing.schemes.vouchers import enterprise as ent
    from jiaxing.schemes.vouchers.models import Application, EnterpriseProfile

    with uow() as s:
        have = {p.id: (p.name, p.district, p.facts) for p in s.execute(select(EnterpriseProfile)).scalars()}
        missing = [e for e in ENTERPRISES if have.get(e["id"]) != (e["name"], e["district"], e["facts"])]
        if missing:
            ent.load_enterprises(s, missing, actor="demo")
    # 免申即享: offers the demo software company its milestone reward (run keyed by date).
    ent.no_apply_run(on=DEMO_DATE, actor="demo")
    dealer, shop = ENTERPRISES[1]["id"], ENTERPRISES[2]["id"]
    with uow() as s:
        a = ent.submit(s, enterprise_id=dealer, clause=NEV_SHOW, facts=NEV_FACTS, evidence=["车展备案表.pdf"],
                       key="demo-apply-dealer", actor="demo")
    _advance(uow, a["application_id"], ("under_review", "approved"))
    with uow() as s:
        b = ent.submit(s, enterprise_id=shop, clause=NEV_SHOW, facts={**NEV_FACTS, "nev_show_expense_yuan": "30000"},
                       key="demo-apply-shop", actor="demo")
    _advance(uow, b["application_id"], ("under_review",))
    with uow() as s:
        statuses = dict(s.execute(select(Application.id, Application.status)).all())
    return {"enterprises": len(ENTERPRISES), "applications": {str(k): v for k, v in sorted(statuses.items())}}


def _advance(uow, aid: int, steps: tuple[str, ...]) -> None:
    """Move a demo application through review states, each only from the state before it."""
    from jiaxing.schemes.vouchers import enterprise as ent
    from jiaxing.schemes.vouchers.models import Application

    for step in steps:
        with uow() as s:
            status = s.scalar(select(Application.status).where(Application.id == aid))
            if step == "under_review" and status == "submitted":
                ent.start_review(s, application_id=aid, actor="demo")
            elif step == "approved" and status == "under_review":
                ent.approve(s, application_id=aid, key=f"demo-approve-{aid}", actor="demo")


def _fund(uow) -> dict[str, Any]:
    from gazette.ledger.ledger import Ledger
    from jiaxing.schemes.provident_fund import service as provident_fund_service
    from jiaxing.schemes.provident_fund.domain import Applicant

    with uow() as s:
        try:
            Ledger(provident_fund_service.BOOK).business_date(s)
            exists = True
        except Exception:  # noqa: BLE001 - the book is not open yet
            exists = False
    if not exists:
        with uow() as s:
            provident_fund_service.setup(s, FUND_DATE, actor="demo")
    opened = 0
    for pid, name, sex, birth, base, rate in FUND_ACCOUNTS:
        with uow() as s:
            res = provident_fund_service.open_account(s, Applicant(pid, name, sex, birth), base, rate, key=f"demo-open-{pid}", actor="demo")
        opened += not res.get("replayed", False)
    return {"business_date": FUND_DATE.isoformat(), "accounts_opened": opened}
