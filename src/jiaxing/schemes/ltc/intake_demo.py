"""Demo data of the LTC intake half (``gazette demo``), idempotent. Names are marked 演示 (demo).

Users (password ``gazette-demo``): ``ltc-officer`` (医保经办人员, whole city), ``ltc-officer-jiashan``
(嘉善县 only), ``ltc-assessor`` (评估员), ``ltc-expert-1`` … ``ltc-expert-4`` (评估专家, 中级 and above;
``ltc-expert-4`` works at the demo provider and is never drawn for its clients), ``ltc-elder`` (王阿公,
discharged with 脑梗死: a reminder, 要我申请, and no application yet) and ``ltc-family`` (his daughter,
who can apply for him as his agent).

Data: 48 insured in four districts from two rosters (one person on both: a 重复参保 to clear), the
registered population (DEMO figures), 2023 funding, discharge / disability / 低保 / death lists, and
applications through the whole assessment: decided at 重度一级/二级/三级 and 重度失智 (嘉善县 pilot), one
settled by a third expert, one not severe, one in review and one awaiting the assessor.
"""

from __future__ import annotations

from typing import Any

from gazette.validate import example_person_id
from jiaxing.districts import DISTRICTS

# four of the pack's districts keep the demo roster small: 南湖区 秀洲区 嘉善县 海宁市
DEMO_DISTRICTS = tuple(DISTRICTS[index] for index in (0, 1, 2, 5))
PROVIDER = "福如海护理院（演示）"
USERS = (
    {"username": "ltc-officer", "display_name": "市医保局经办人员（演示）", "role": "insurance_officer"},
    {"username": "ltc-officer-jiashan", "display_name": "嘉善县医保经办人员（演示）", "role": "insurance_officer",
     "district": "嘉善县"},
    {"username": "ltc-assessor", "display_name": "街道评估员（演示）", "role": "assessor",
     "unit": "新兴街道社区卫生服务中心（演示）"},
    {"username": "ltc-expert-1", "display_name": "沈医生（演示专家）", "role": "expert", "unit": "嘉兴市第一医院（演示）"},
    {"username": "ltc-expert-2", "display_name": "钱医生（演示专家）", "role": "expert", "unit": "嘉兴市第二医院（演示）"},
    {"username": "ltc-expert-3", "display_name": "孙护士长（演示专家）", "role": "expert", "unit": "嘉善县第一人民医院（演示）"},
    {"username": "ltc-expert-4", "display_name": "李护士长（演示专家）", "role": "expert", "unit": PROVIDER},
)
EXPERTS = (("ltc-expert-1", "沈医生（演示）", "senior", "嘉兴市第一医院（演示）"),
           ("ltc-expert-2", "钱医生（演示）", "intermediate", "嘉兴市第二医院（演示）"),
           ("ltc-expert-3", "孙护士长（演示）", "associate_senior", "嘉善县第一人民医院（演示）"),
           ("ltc-expert-4", "李护士长（演示）", "intermediate", PROVIDER))
FULL = {"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10, "bladder": 10, "toilet": 10,
        "transfer": 15, "mobility": 15, "stairs": 10}


def pid(n: int) -> str:
    return example_person_id(n, region="330402", born="19420101" if n % 3 else "19560101")


FATHER = pid(40)  # 南湖区: discharged with 脑梗死, has a reminder (ltc-elder); ltc-family may apply for him
FAMILY = ({"username": "ltc-family", "display_name": "王女士（演示，代父亲办理）", "role": "citizen", "district": "南湖区",
           "person_id": pid(41)},
          {"username": "ltc-elder", "display_name": "王阿公（演示）", "role": "citizen", "district": "南湖区",
           "person_id": FATHER})


def items(adl: int, social: int = 40) -> dict[str, int]:
    out, left = {}, adl
    for code, mx in FULL.items():
        out[code] = min(mx, left)
        left -= out[code]
    left = social
    for code in ("aggression", "depression", "compulsion", "money"):
        out[code] = min(10, left)
        left -= out[code]
    return out


def _after(day: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def run() -> dict[str, Any]:
    from sqlalchemy import select

    from gazette.auth import users as users_service
    from gazette.auth.demo import DEMO_PASSWORD
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.ltc import intake_assessment, intake_service
    from jiaxing.schemes.ltc.models import Insured

    with unit_of_work() as s:
        for spec in (*USERS, *FAMILY):
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=DEMO_PASSWORD, **spec)
        if s.scalar(select(Insured.id).where(Insured.person_id == pid(1))) is not None:
            return {"already": True, "users": [u["username"] for u in (*USERS, *FAMILY)]}
    a = "demo"
    people = [f"{pid(n)},参保人{n}（演示）,{DEMO_DISTRICTS[n % 4]},{'职工' if n % 5 == 0 else '居民'},2018-01-01"
              for n in range(1, 49)]
    intake_service.import_roster(_csv("person_id,name,district,scheme,insured_since", people), "demo-roster.csv", "demo-2023",
                     key="demo-roster", actor=a)
    intake_service.import_roster(_csv("person_id,name,district,scheme,insured_since",
                          [f"{pid(5)},参保人5（演示）,南湖区,居民,2020-01-01"]), "demo-resident.csv", "demo-2023-resident",
                     key="demo-roster-2", actor=a)
    for d, n in zip(DEMO_DISTRICTS, (12, 13, 12, 12), strict=True):
        intake_service.set_population(d, 2023, n, "DEMO 演示户籍人口（运营方以统计部门数据替换）", key=f"demo-pop-{d}", actor=a)
    intake_service.fund(2023, "demo", key="demo-fund", actor=a)
    for user, name, title, unit in EXPERTS:
        intake_service.add_expert({"username": user, "name": name, "title": title, "unit": unit}, key=f"demo-{user}", actor=a)
    intake_service.import_list("discharge", _csv("person_id,hospital,admitted_on,discharged_on,diagnosis", [
        f"{FATHER},嘉兴市第一医院（演示）,2023-05-02,2023-05-20,脑梗死 左侧偏瘫",
        f"{pid(6)},嘉兴市第二医院（演示）,2023-04-01,2023-04-18,股骨颈骨折术后",
        f"{pid(7)},嘉兴市第二医院（演示）,2023-04-03,2023-04-08,肺炎"]), "discharge.csv", "demo-2023-05",
        key="demo-discharge", actor=a)
    intake_service.import_list("disability", _csv("person_id,level,category", [f"{pid(10)},1,肢体", f"{pid(11)},2,精神"]),
                   "disability.csv", "demo-2023", key="demo-disability", actor=a)
    intake_service.import_list("dibao", _csv("person_id", [FATHER, pid(10)]), "dibao.csv", "demo-2023", key="demo-dibao", actor=a)
    intake_service.import_list("death", _csv("person_id,died_on", [f"{pid(48)},2023-06-01"]), "death.csv", "demo-2023",
                   key="demo-death", actor=a)
    intake_service.discover("2023-06-05", key="demo-discover", actor=a)

    def case(n: int, applied: str, adl: list[int], social: int = 40, **kw) -> int:
        app = intake_service.apply({"person_id": pid(n), "channel": "desk", "applied_on": applied, **kw}, key=f"demo-apply-{n}",
                       actor="ltc-officer")["id"]
        intake_service.collect(app, items(adl[0], social), key=f"demo-collect-{n}", actor="ltc-assessor",
                   assessor_unit="新兴街道社区卫生服务中心（演示）", on=_after(applied, 3))
        for i, points in enumerate(adl[1:]):
            with unit_of_work() as s:
                seats = intake_assessment.seats(s, app, viewer="demo", is_expert=False)
            todo = [x["expert"] for x in seats if not x["scored"]]
            if not todo:
                break
            intake_service.score(app, items(points, social), key=f"demo-score-{n}-{i}", actor=todo[0],
                     on=_after(applied, 6 + i))
        return app

    case(6, "2023-05-03", [15, 14, 16, 15])  # 重度三级
    case(10, "2023-05-10", [25, 26, 24])  # 重度二级
    case(15, "2023-06-02", [35, 36, 38])  # 重度一级
    case(11, "2023-06-05", [30, 20, 45, 33], provider=PROVIDER)  # disagreement → a third expert
    case(2, "2023-06-12", [85, 80, 82, 80, 85], social=6, dementia_unit=True)  # 嘉善县 失智专区: 重度失智
    case(7, "2023-07-03", [70, 72, 75])  # not severe
    case(19, "2023-08-01", [28, 29])  # in review: one expert has scored
    intake_service.apply({"person_id": pid(23), "channel": "desk", "applied_on": "2023-08-10"}, key="demo-apply-23",
             actor="ltc-officer")  # awaiting the assessor
    return {"insured": 48, "users": [u["username"] for u in (*USERS, *FAMILY)], "reminder_for": FATHER}
