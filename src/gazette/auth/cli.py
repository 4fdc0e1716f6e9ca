"""CLI: ``gazette users create|list|set-password|deactivate|token`` and ``gazette demo``."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

import typer

from gazette.auth.principal import Role


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _uow():
    from gazette.store.db import unit_of_work

    return unit_of_work()


def _password(password: str | None) -> str:
    if password:
        return password
    env = os.environ.get("GAZETTE_PASSWORD")
    if env:
        return env
    return typer.prompt("密码 Password", hide_input=True, confirmation_prompt=True)


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="用户与角色 Users and roles (access control).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("create")
    def create(
        username: str,
        role: Annotated[str, typer.Option(help="one of: " + " | ".join(r.value for r in Role))],
        password: Annotated[str | None, typer.Option(help="default: $GAZETTE_PASSWORD or a prompt")] = None,
        display_name: Annotated[str | None, typer.Option("--name", help="display name")] = None,
        district: Annotated[str | None, typer.Option(help="an officer's district (a citizen's home district)")] = None,
        person_id: Annotated[str | None, typer.Option(help="a citizen's / worker's identity number")] = None,
        enterprise_id: Annotated[str | None, typer.Option(help="an enterprise's 统一社会信用代码")] = None,
        unit: Annotated[str | None, typer.Option(help="the unit a scoped role acts for (责任单位, 预算部门, 护理机构)")] = None,
    ) -> None:
        """Create a user."""
        from gazette.auth import users as svc

        pw = _password(password)
        with _uow() as s:
            _emit(svc.create_user(s, username=username, password=pw, role=role, display_name=display_name,
                                  district=district, person_id=person_id, enterprise_id=enterprise_id,
                                  unit=unit))

    @users.command("list")
    def list_() -> None:
        """List users (JSON)."""
        from gazette.auth import users as svc

        with _uow() as s:
            _emit(svc.list_users(s))

    @users.command("set-password")
    def set_password(username: str,
                     password: Annotated[str | None, typer.Option(help="default: $GAZETTE_PASSWORD or a prompt")] = None
                     ) -> None:
        """Set a user's password (ends their sessions and tokens)."""
        from gazette.auth import users as svc

        pw = _password(password)
        with _uow() as s:
            _emit(svc.set_password(s, username, pw))

    @users.command("deactivate")
    def deactivate(username: str) -> None:
        """Deactivate a user (ends their sessions and tokens)."""
        from gazette.auth import users as svc

        with _uow() as s:
            _emit(svc.deactivate(s, username))

    @users.command("token")
    def token(username: str, name: Annotated[str, typer.Option(help="a label for the token")] = "cli",
              days: Annotated[int, typer.Option(min=1, max=3650, help="validity in days")] = 30) -> None:
        """Issue an API token for a user (printed once; only its hash is kept)."""
        import datetime as dt

        from gazette.auth import tokens
        from gazette.auth import users as svc
        from gazette.errors import Conflict, NotFound

        with _uow() as s:
            user = svc.get_by_username(s, username)
            if user is None:
                raise NotFound("用户", username, field="username")
            if not user.active:
                raise Conflict(f"用户已停用：{username}", f"user is deactivated: {username}", field="username",
                               code="user_inactive")
            raw, tok = tokens.create(s, user.id, name, dt.timedelta(days=days))
            _emit({"username": username, "token": raw, "expires_at": tok.expires_at.isoformat()})

    @users.command("prune-denials")
    def prune_denials(days: Annotated[int | None, typer.Option(
            min=1, max=36500, help="keep this many days (default: GAZETTE_DENIAL_RETENTION_DAYS, 180)")] = None) -> None:
        """Delete access denials and login attempts older than the retention period."""
        from gazette.auth.audit import prune

        with _uow() as s:
            _emit(prune(s, days))

    @users.command("login-attempts")
    def login_attempts(username: Annotated[str | None, typer.Option(help="only this username")] = None,
                       ip: Annotated[str | None, typer.Option(help="only this address")] = None,
                       limit: Annotated[int, typer.Option(min=1, max=1000)] = 100) -> None:
        """Recent login attempts and the throttles in force."""
        from gazette.auth import ratelimit

        with _uow() as s:
            _emit(ratelimit.recent(s, username=username, ip=ip, limit=limit))

    @app.command("demo")
    def demo() -> None:
        """Create the demo users (password gazette-demo) and demo data; running it again changes nothing."""
        from gazette.auth.demo import run_demo

        _emit(run_demo())
