"""``/api/v1/auth/…``: exchange a username and password for a bearer token, revoke it, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from gazette.api.problems import PROBLEM, http_status, problem_body
from gazette.auth import ratelimit, tokens
from gazette.auth.audit import client_ip, log_denial
from gazette.auth.deps import authenticated, current_token, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import InvalidInput, Unauthorized
from gazette.store.db import unit_of_work

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100, examples=["admin"])
    password: str = Field(min_length=1, max_length=1000, examples=["gazette-demo"])
    name: str = Field(default="api", max_length=200, description="a label for the token")


def principal_json(p: Principal) -> dict[str, Any]:
    return {"user_id": p.user_id, "username": p.username, "display_name": p.display_name, "role": p.role.value,
            "district": p.district, "person_id": p.person_id, "enterprise_id": p.enterprise_id, "via": p.via}


@router.post("/tokens", status_code=201, summary="Create an API token (rate-limited like the login page)")
async def create_token(req: TokenRequest, request: Request):
    """The password check (argon2) runs in the bounded login pool (503 + Retry-After when it is full)."""
    from gazette.api import workers

    ip = client_ip(request)

    def issue(s, user) -> dict[str, Any]:
        raw, tok = tokens.create(s, user.id, req.name)
        return {"token": raw, "token_type": "bearer", "expires_at": tok.expires_at.isoformat(),
                "user": {"username": user.username, "role": user.role}}

    try:
        user, body = await workers.login(ratelimit.attempt, req.username, req.password, ip, issue)
    except ratelimit.TooManyAttempts as blocked:
        await run_in_threadpool(log_denial, request, None, "login_rate_limited", req.username)
        return JSONResponse(problem_body(blocked, request.url.path), status_code=http_status(blocked),
                            media_type=PROBLEM,
                            headers={"Retry-After": str(blocked.retry_after)})
    if user is None:
        await run_in_threadpool(log_denial, request, None, "login_failed", req.username)
        raise Unauthorized("用户名或密码错误", "wrong username or password", field="password", code="invalid_credentials")
    return body


@router.get("/login-attempts", summary="Recent login attempts and the throttles in force (city administrator)")
def login_attempts(username: str | None = Query(None, max_length=100), ip: str | None = Query(None, max_length=100),
                   limit: int = Query(100, ge=1, le=1000),
                   p: Principal = Depends(require_roles(Role.city_admin, Role.auditor))) -> dict[str, Any]:
    with unit_of_work() as s:
        return ratelimit.recent(s, username=username, ip=ip, limit=limit)


@router.delete("/tokens/current", status_code=200, summary="Revoke the token this request carries")
def revoke_current(request: Request, principal: Principal = Depends(authenticated)) -> dict[str, Any]:
    raw = current_token(request)
    if raw is None:
        raise InvalidInput("此请求未携带 API 令牌", "this request carries no API token", field="Authorization",
                           code="no_token")
    with unit_of_work() as s:
        tokens.revoke(s, raw)
    return {"revoked": True}


@router.get("/me", summary="Who the token (or session) belongs to")
def me(principal: Principal = Depends(authenticated)) -> dict[str, Any]:
    return principal_json(principal)
