"""Who is asking: a role and the identities (district, person, enterprise) that scope what they see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    citizen = "citizen"
    enterprise = "enterprise"
    district_officer = "district_officer"
    city_admin = "city_admin"
    auditor = "auditor"


ROLE_LABELS = {
    Role.citizen: ("市民", "citizen"),
    Role.enterprise: ("企业", "enterprise"),
    Role.district_officer: ("区级工作人员", "district officer"),
    Role.city_admin: ("市级管理员", "city administrator"),
    Role.auditor: ("审计人员", "auditor"),
}


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: Role
    district: str | None  # a district officer's district, e.g. "南湖区"; a citizen's home district
    person_id: str | None  # citizen / flexible worker identity used by vouchers and the fund
    enterprise_id: str | None  # an enterprise user's 统一社会信用代码
    via: str  # "session" or "token"

    def can_see_district(self, district: str | None) -> bool:
        """Admins and auditors see every district; an officer only their own; nobody else any."""
        if self.role in (Role.city_admin, Role.auditor):
            return True
        if self.role == Role.district_officer:
            return district is not None and district == self.district
        return False

    @property
    def read_only(self) -> bool:
        return self.role == Role.auditor

    @property
    def is_admin(self) -> bool:
        return self.role == Role.city_admin

    @property
    def role_label(self) -> str:
        zh, en = ROLE_LABELS[self.role]
        return f"{zh} {en}"
