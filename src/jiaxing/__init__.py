"""The Jiaxing pack: the gazette issues of 嘉兴市人民政府公报, its policies and its schemes."""

from pathlib import Path

from gazette.packs import NavItem, Pack

_HERE = Path(__file__).resolve().parent

pack = Pack(
    name="jiaxing",
    title="嘉兴市人民政府公报",
    gazette_dir=_HERE / "data" / "gazettes",
    policies_dir=_HERE / "policies",
    # Scheme modules add their CLI commands and API routers here (module paths, loaded lazily).
    commands=("jiaxing.schemes.vouchers.cli", "jiaxing.schemes.provident_fund.cli", "jiaxing.schemes.budget.cli", "jiaxing.schemes.airspace.cli", "jiaxing.schemes.resident_pension.cli", "jiaxing.schemes.supervision.cli",
              "jiaxing.schemes.ltc.cli"),
    routers=("jiaxing.schemes.vouchers.api", "jiaxing.schemes.provident_fund.api", "jiaxing.schemes.budget.api", "jiaxing.schemes.airspace.api", "jiaxing.schemes.resident_pension.api", "jiaxing.schemes.supervision.api",
             "jiaxing.schemes.ltc.api"),
    pages=("jiaxing.web.finder", "jiaxing.web.policies", "jiaxing.web.me", "jiaxing.web.officials", "jiaxing.schemes.budget.pages", "jiaxing.schemes.airspace.pages", "jiaxing.schemes.resident_pension.pages", "jiaxing.schemes.supervision.pages",
           "jiaxing.schemes.ltc.pages"),
    templates_dir=_HERE / "web" / "templates",
    nav=(
        NavItem("/policies", "政策一览", "Policies"),
        NavItem("/pension/me", "养老金", "My pension", roles=("citizen",)),
        NavItem("/officials/pension", "养老金发放", "Pension payroll",
                roles=("pension_officer", "approver", "city_admin", "auditor")),
        NavItem("/supervision", "督查", "Supervision", roles=("supervision_officer", "city_admin", "auditor")),
        NavItem("/supervision/unit", "本单位任务", "Our tasks", roles=("unit_reporter",)),
        NavItem("/budget", "预算", "Budget", roles=("department", "finance_officer", "approver", "city_admin", "auditor")),
        NavItem("/airspace/registry", "无人机登记", "Drone registry", roles=("registrar", "city_admin", "auditor")),
        NavItem("/airspace/approvals", "飞行审批", "Flight approvals", roles=("approver", "city_admin", "auditor")),
        NavItem("/ltc/me", "长护险", "Long-term care", roles=("citizen",)),
        NavItem("/ltc/desk", "长护险受理", "LTC intake", roles=("insurance_officer", "city_admin", "auditor")),
        NavItem("/ltc/assessor", "失能评估", "Assessment", roles=("assessor",)),
        NavItem("/ltc/expert", "专家复评", "Expert review", roles=("expert",)),
        NavItem("/ltc/care/me", "护理结算单", "My care statement", roles=("citizen",)),
        NavItem("/ltc/care/provider", "机构结算", "Provider claims", roles=("provider_staff",)),
        NavItem("/ltc/care/review", "护理疑点复核", "Care review", roles=("insurance_officer", "auditor")),
        NavItem("/ltc/care/plan", "护理计划", "Care plans", roles=("provider_staff",)),
        NavItem("/ltc/care/visits", "护理服务记录", "Care visits", roles=("caregiver", "provider_staff")),
        NavItem("/ltc/care/month", "护理月度结算", "Care month", roles=("insurance_officer", "auditor")),
        NavItem("/ltc/care/providers", "护理机构", "Care providers"),
        NavItem("/airspace", "空域管制", "Airspace"),
    ),
    extras={"demo": "jiaxing.demo"},  # `gazette demo`: programmes, pools, enterprises, fund reference data
)
