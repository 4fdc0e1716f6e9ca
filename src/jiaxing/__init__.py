"""The Jiaxing pack: the gazette issues of 嘉兴市人民政府公报, its policies and its schemes."""

from pathlib import Path

from gazette.packs import Pack

_HERE = Path(__file__).resolve().parent

pack = Pack(
    name="jiaxing",
    title="嘉兴市人民政府公报",
    gazette_dir=_HERE / "data" / "gazettes",
    policies_dir=_HERE / "policies",
    # Scheme modules add their CLI commands and API routers here (module paths, loaded lazily).
    commands=("jiaxing.schemes.vouchers.cli", "jiaxing.schemes.provident_fund.commands", "jiaxing.schemes.budget.cli", "jiaxing.schemes.airspace.cli", "jiaxing.schemes.resident_pension.cli", "jiaxing.schemes.supervision.cli"),
    routers=("jiaxing.schemes.vouchers.api", "jiaxing.schemes.provident_fund.api", "jiaxing.schemes.budget.api", "jiaxing.schemes.airspace.api", "jiaxing.schemes.resident_pension.api", "jiaxing.schemes.supervision.api"),
    pages=("jiaxing.web.finder", "jiaxing.web.policies", "jiaxing.web.self_service", "jiaxing.web.officials", "jiaxing.schemes.budget.pages", "jiaxing.schemes.airspace.pages", "jiaxing.schemes.resident_pension.pages", "jiaxing.schemes.supervision.pages"),
    templates_dir=_HERE / "web" / "templates",
    extras={"demo": "jiaxing.demo"},  # `gazette demo`: programmes, pools, enterprises, fund reference data
)
