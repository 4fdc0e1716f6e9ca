"""User administration: create, list, set a password, deactivate (CLI ``gazette users …``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gazette import validate
from gazette.auth import passwords
from gazette.auth.models import ApiToken, User, WebSession
from gazette.auth.principal import Role
from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.ledger.clock import now

#: Roles that act for one organisation and see only its rows.
UNIT_ROLES = frozenset({Role.unit_reporter, Role.department, Role.provider_staff, Role.caregiver})


def _role(value: Any) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise InvalidInput(
            f"未知角色：{value}（可选：{', '.join(r.value for r in Role)}）",
            f"unknown role: {value} (one of {', '.join(r.value for r in Role)})",
            field="role", code="unknown_role") from None


def user_json(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "district": u.district, "person_id": u.person_id, "enterprise_id": u.enterprise_id,
            "unit": u.unit, "active": u.active, "created_at": u.created_at.isoformat() if u.created_at else None}


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def create_user(session: Session, *, username: str, password: str, role: str, display_name: str | None = None,
                district: str | None = None, person_id: str | None = None,
                enterprise_id: str | None = None, unit: str | None = None) -> dict[str, Any]:
    username = (username or "").strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise InvalidInput("用户名不能为空、不能含空格、不超过 100 个字符",
                           "a username is 1–100 characters without spaces", field="username",
                           code="invalid_username")
    r = _role(role)
    if r == Role.district_officer and not district:
        raise InvalidInput("区级工作人员必须指定所属区", "a district officer needs a district", field="district",
                           code="district_required")
    if r == Role.enterprise and not enterprise_id:
        raise InvalidInput("企业用户必须指定统一社会信用代码", "an enterprise user needs an enterprise_id",
                           field="enterprise_id", code="enterprise_id_required")
    if r in UNIT_ROLES and not (unit or "").strip():
        raise InvalidInput("该角色必须指定所属单位", f"the role {r.value} needs a unit (--unit)", field="unit",
                           code="unit_required")
    # one spelling per person and enterprise (gazette.validate): a user's ids match the schemes' rows
    person_id = validate.person_id(person_id) if person_id else None
    enterprise_id = validate.enterprise_id(enterprise_id) if enterprise_id else None
    if get_by_username(session, username) is not None:
        raise _duplicate(username)
    user = User(username=username, display_name=display_name or username, role=r.value,
                password_hash=passwords.hash_password(password), district=district or None,
                person_id=person_id or None, enterprise_id=enterprise_id or None,
                unit=(unit or "").strip() or None, active=True, created_at=now())
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise _duplicate(username) from None
    return user_json(user)


def _duplicate(username: str) -> Conflict:
    return Conflict(f"用户名已存在：{username}", f"username already exists: {username}", field="username",
                    code="username_taken")


def list_users(session: Session) -> list[dict[str, Any]]:
    return [user_json(u) for u in session.scalars(select(User).order_by(User.username))]


def _require(session: Session, username: str) -> User:
    user = get_by_username(session, username)
    if user is None:
        raise NotFound("用户", username, field="username")
    return user


def set_password(session: Session, username: str, password: str) -> dict[str, Any]:
    """Set a new password and end every session and token of the user."""
    user = _require(session, username)
    user.password_hash = passwords.hash_password(password)
    _end_all(session, user.id)
    return user_json(user)


def deactivate(session: Session, username: str) -> dict[str, Any]:
    user = _require(session, username)
    user.active = False
    _end_all(session, user.id)
    return user_json(user)


def _end_all(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now()))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None (same cost whether or not the user exists)."""
    user = get_by_username(session, username)
    if not passwords.verify(user.password_hash if user else None, password) or user is None or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hasher().hash(password)
    return user
