"""The log of denied accesses (``access_denials``, append-only), written in its own transaction
so the denial is recorded even though the request itself fails."""

from __future__ import annotations

import logging

from starlette.requests import Request

from gazette.auth.models import AccessDenial
from gazette.auth.principal import Principal
from gazette.ledger.clock import now

log = logging.getLogger("gazette.auth")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def log_denial(request: Request, principal: Principal | None, reason: str, username: str | None = None) -> None:
    from gazette.store.db import unit_of_work

    row = AccessDenial(at=now(), user_id=principal.user_id if principal else None,
                       username=(principal.username if principal else username),
                       method=request.method[:10], path=str(request.url.path)[:2000], reason=reason[:200],
                       ip=client_ip(request))
    try:
        with unit_of_work() as s:
            s.add(row)
    except Exception:  # noqa: BLE001 - a failing log must not turn a 403 into a 500
        log.exception("could not record access denial %s %s", request.method, request.url.path)
    log.info("access denied: %s %s user=%s reason=%s", request.method, request.url.path,
             principal.username if principal else username, reason)
