"""Self-service pages under /me: ``/me`` sends each user to their own service — a citizen's vouchers
(``me_vouchers``), an enterprise's applications and 免申即享 offers (``me_enterprise``), a flexible
worker's provident-fund account (``me_fund``); the shared plumbing is in ``self_service``.

Part of the Jiaxing pack (mounted through ``Pack.pages``), beside the schemes it serves.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.auth.principal import Role
from gazette.packs import load_pack
from gazette.store.db import unit_of_work
from jiaxing.schemes.provident_fund.models import FundAccount
from jiaxing.schemes.vouchers import service as voucher_service
from jiaxing.web import me_enterprise, me_fund, me_vouchers
from jiaxing.web.self_service import require, see_other

router = APIRouter(include_in_schema=False)

OFFICIAL_ROLES = (Role.district_officer, Role.city_admin, Role.auditor)


@router.get("/me", response_class=HTMLResponse)
def me(request: Request):
    principal = require(request, *Role)
    if principal.role == Role.enterprise:
        return see_other("/me/enterprise")
    if principal.role in OFFICIAL_ROLES:
        return see_other("/officials")
    if principal.role != Role.citizen:  # a scheme's staff land on the first service the pack lists for their role
        own = next((item.href for item in load_pack().nav if principal.role.value in item.roles), "/")
        return see_other(own)
    if principal.person_id and _has_fund_account(principal.person_id) and not _has_vouchers(principal.person_id):
        return see_other("/me/fund")  # a flexible worker lands on their own service
    return see_other("/me/vouchers")


def _has_fund_account(person_id: str) -> bool:
    try:
        with unit_of_work() as session:
            return session.query(FundAccount.id).filter(FundAccount.person_id == person_id).first() is not None
    except Exception:  # noqa: BLE001 — no fund tables: not a fund user
        return False


def _has_vouchers(person_id: str) -> bool:
    try:
        with unit_of_work() as session:
            return bool(voucher_service.list_vouchers(session, person_id=person_id, limit=1))
    except Exception:  # noqa: BLE001
        return False


router.include_router(me_vouchers.router)
router.include_router(me_enterprise.router)
router.include_router(me_fund.router)
