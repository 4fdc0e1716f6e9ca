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
    # Roles of the schemes of wave 2. A role scoped to one organisation (a unit reporting on its
    # supervision tasks, a budget department, a care provider, an expert's institution) carries it
    # in ``Principal.unit``.
    assessor = "assessor"  # 评估员: records LTC assessment forms
    expert = "expert"  # 评估专家: scores LTC reassessments (双盲)
    provider_staff = "provider_staff"  # 定点护理机构工作人员
    caregiver = "caregiver"  # 护理员
    insurance_officer = "insurance_officer"  # 医保经办人员 (district-scoped)
    pension_officer = "pension_officer"  # 社保经办人员: payroll, contributions, proposals
    approver = "approver"  # 审批人: approves what an officer proposes (pension standard, exempt flights)
    unit_reporter = "unit_reporter"  # 责任单位填报人 (scoped to its unit)
    supervision_officer = "supervision_officer"  # 督查人员
    department = "department"  # 预算部门 (scoped to its department)
    finance_officer = "finance_officer"  # 财政局工作人员
    registrar = "registrar"  # 登记人员 (公安 / 气象 / 体育) for airspace


ROLE_LABELS = {
    Role.citizen: ("市民", "citizen"),
    Role.enterprise: ("企业", "enterprise"),
    Role.district_officer: ("区级工作人员", "district officer"),
    Role.city_admin: ("市级管理员", "city administrator"),
    Role.auditor: ("审计人员", "auditor"),
    Role.assessor: ("评估员", "assessor"),
    Role.expert: ("评估专家", "assessment expert"),
    Role.provider_staff: ("护理机构工作人员", "care provider staff"),
    Role.caregiver: ("护理员", "caregiver"),
    Role.insurance_officer: ("医保经办人员", "medical-insurance officer"),
    Role.pension_officer: ("社保经办人员", "pension officer"),
    Role.approver: ("审批人", "approver"),
    Role.unit_reporter: ("责任单位填报人", "responsible-unit reporter"),
    Role.supervision_officer: ("督查人员", "supervision officer"),
    Role.department: ("预算部门", "budget department"),
    Role.finance_officer: ("财政局工作人员", "finance officer"),
    Role.registrar: ("登记人员", "registrar"),
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
    unit: str | None = None  # the organisation a scoped role acts for (责任单位, 预算部门, 护理机构…)

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
