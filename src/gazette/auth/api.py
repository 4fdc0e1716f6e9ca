"""``/api/v1/auth/…``: exchange a username and password for a bearer token, revoke it, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gazette.auth import ratelimit, tokens
from gazette.auth import users as users_service
from gazette.auth.audit import client_ip, log_denial
from gazette.auth.deps import authenticated, current_token
from gazette.auth.principal import Principal
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work

router = APIRouter(prefix="/auth", tags=["auth"])
PROBLEM = "application/problem+json"


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100, examples=["admin"])
    password: str = Field(min_length=1, max_length=1000, examples=["gazette-demo"])
    name: str = Field(default="api", max_length=200, description="a label for the token")


def principal_json(p: Principal) -> dict[str, Any]:
    return {"user_id": p.user_id, "username": p.username, "display_name": p.display_name, "role": p.role.value,
            "district": p.district, "person_id": p.person_id, "enterprise_id": p.enterprise_id, "via": p.via}


@router.post("/tokens", status_code=201, summary="Create an API token (rate-limited like the login page)")
def create_token(req: TokenRequest, request: Request):
    ip = client_ip(request)
    with unit_of_work() as s:
        try:
            ratelimit.check(s, req.username, ip)
        except ratelimit.TooManyAttempts as exc:
            blocked = exc
        else:
            blocked = None
            user = users_service.authenticate(s, req.username, req.password)
            ratelimit.record(s, req.username, ip, ok=user is not None)
            if user is not None:
                raw, tok = tokens.create(s, user.id, req.name)
                body = {"token": raw, "token_type": "bearer", "expires_at": tok.expires_at.isoformat(),
                        "user": {"username": user.username, "role": user.role}}
    if blocked is not None:
        log_denial(request, None, "login_rate_limited", username=req.username)
        return JSONResponse(blocked.problem(instance=request.url.path), status_code=429, media_type=PROBLEM,
                            headers={"Retry-After": str(blocked.retry_after)})
    if user is None:
        log_denial(request, None, "login_failed", username=req.username)
        raise GazetteError("invalid_credentials", "用户名或密码错误", "wrong username or password",
                           field="password", status=401)
    return body


@router.delete("/tokens/current", status_code=200, summary="Revoke the token this request carries")
def revoke_current(request: Request, principal: Principal = Depends(authenticated)) -> dict[str, Any]:
    raw = current_token(request)
    if raw is None:
        raise GazetteError("no_token", "此请求未携带 API 令牌", "this request carries no API token",
                           field="Authorization", status=400)
    with unit_of_work() as s:
        tokens.revoke(s, raw)
    return {"revoked": True}


@router.get("/me", summary="Who the token (or session) belongs to")
def me(principal: Principal = Depends(authenticated)) -> dict[str, Any]:
    return principal_json(principal)
