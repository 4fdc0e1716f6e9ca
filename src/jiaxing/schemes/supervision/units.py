"""Responsible units (责任单位) as the gazette names them, and who reports for them.

The gazette names one bureau several ways (11号: 市人力社保局, 市人社保局, 市人社局) and assigns some tasks
to a group (各县〔市、区〕政府). The register keeps the text as extracted; unit scoping (who sees and
reports a task) uses canonical names, a group expanded to its members. Reading: “各县（市、区）政府” are
the governments of the two districts and five counties / county-level cities; the two functional
zones are named separately in the same lists (…管委会).
"""

from __future__ import annotations

import unicodedata

COUNTY_GOVERNMENTS = ("南湖区政府", "秀洲区政府", "嘉善县政府", "平湖市政府", "海盐县政府", "海宁市政府", "桐乡市政府")
ALIASES = {
    "市人社局": "市人力社保局",
    "市人社保局": "市人力社保局",
    "嘉兴经济技术开发区〔国际商务区〕": "嘉兴经济技术开发区〔国际商务区〕管委会",
    "嘉善县": "嘉善县政府", "平湖市": "平湖市政府", "海盐县": "海盐县政府", "海宁市": "海宁市政府", "桐乡市": "桐乡市政府",
    "南湖区": "南湖区政府", "秀洲区": "秀洲区政府",
}
GROUPS = {"各县〔市、区〕政府": COUNTY_GOVERNMENTS}


def canonical(unit: str) -> str:
    """One name per unit: brackets as the corpus writes them (（）inside a unit → 〔〕), aliases resolved."""
    u = unicodedata.normalize("NFKC", unit or "").strip().replace("(", "〔").replace(")", "〕")
    u = u.replace("（", "〔").replace("）", "〕").replace("[", "〔").replace("]", "〕")
    return ALIASES.get(u, u)


def scope(units: list[str]) -> list[str]:
    """The units that see and report a task: canonical names, groups expanded; lead first, no repeats."""
    out: list[str] = []
    for u in units:
        c = canonical(u)
        for member in GROUPS.get(c, (c,)):
            if member not in out:
                out.append(member)
    return out
