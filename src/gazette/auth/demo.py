"""``gazette demo``: the demo users (password ``gazette-demo``) and the content pack's demo data.

Idempotent: a user that exists is left as it is; the pack's demo step checks before it writes.
The pack contributes its demo data through a module ``<pack>.demo`` with ``run(session_factory)``
(discovered by name, so the platform never imports a pack).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from gazette.auth import users as users_service

DEMO_PASSWORD = "gazette-demo"

DEMO_USERS: tuple[dict[str, Any], ...] = (
    {"username": "citizen", "display_name": "张三", "role": "citizen", "district": "南湖区",
     "person_id": "330402199001011230"},
    {"username": "worker", "display_name": "李四", "role": "citizen", "district": "秀洲区",
     "person_id": "330411198806060023"},
    {"username": "enterprise", "display_name": "嘉兴示范软件有限公司", "role": "enterprise",
     "enterprise_id": "91330400700000001B"},
    {"username": "officer-nanhu", "display_name": "南湖区工作人员", "role": "district_officer", "district": "南湖区"},
    {"username": "officer-xiuzhou", "display_name": "秀洲区工作人员", "role": "district_officer", "district": "秀洲区"},
    {"username": "admin", "display_name": "市级管理员", "role": "city_admin"},
    {"username": "auditor", "display_name": "审计人员", "role": "auditor"},
)


def ensure_demo_users(session) -> list[str]:
    """Create the demo users that do not exist yet; returns the usernames created."""
    created = []
    for spec in DEMO_USERS:
        if users_service.get_by_username(session, spec["username"]) is None:
            users_service.create_user(session, password=DEMO_PASSWORD, **spec)
            created.append(spec["username"])
    return created


def run_demo() -> dict[str, Any]:
    from gazette.packs import load_pack
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        created = ensure_demo_users(s)
    out: dict[str, Any] = {"users_created": created, "password": DEMO_PASSWORD,
                           "users": [u["username"] for u in DEMO_USERS]}
    pack = load_pack()
    module = pack.extras.get("demo") or f"{pack.name}.demo"
    if importlib.util.find_spec(module.split(".")[0]) is not None and importlib.util.find_spec(module) is not None:
        out["data"] = importlib.import_module(module).run()
    return out
