"""The service catalogue (护理服务项目), versioned by date — a DEMO catalogue, labelled as such.

三.（二）.6 turns the old 基础护理 / 按需护理 items into two categories, 生活照料 (daily living) and
医疗护理 (medical care), and grows the list ("逐步增加护理服务项目"); the issue's targets are 27 items now
and 50 by 2024. The gazette lists no items, prices or durations: what follows is a DEMO catalogue the
operator replaces with the medical insurance bureau's published list (load another version with a
later ``valid_from``). Every row says ``DEMO`` in its source.

Home items are priced per visit and carry a minimum duration (the short-visit rule reads it); the two
institutional items are priced per day (institutional care is settled per day, no check-in).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger._sql import bulk_insert
from jiaxing.schemes.ltc.care.models import CatalogueItem

CLAUSE = "嘉政发〔2022〕21号#三.（二）.6"
SOURCE = f"DEMO 演示目录（非官方，运营方以医保局公布目录替换）；分类依据 {CLAUSE}"
CATEGORY_ZH = {"daily_living": "生活照料", "medical_care": "医疗护理"}

# (code, name, category, unit, price yuan, minimum minutes) — DEMO values
_V1 = [
    ("S01", "助浴", "daily_living", "visit", 60, 40), ("S02", "床上擦浴", "daily_living", "visit", 40, 30),
    ("S03", "洗发", "daily_living", "visit", 20, 15), ("S04", "口腔清洁", "daily_living", "visit", 10, 10),
    ("S05", "修剪指（趾）甲", "daily_living", "visit", 10, 10), ("S06", "协助进食", "daily_living", "visit", 20, 20),
    ("S07", "协助如厕", "daily_living", "visit", 15, 10), ("S08", "更换尿垫", "daily_living", "visit", 15, 10),
    ("S09", "翻身拍背", "daily_living", "visit", 15, 15), ("S10", "协助穿衣", "daily_living", "visit", 10, 10),
    ("S11", "会阴护理", "daily_living", "visit", 20, 15), ("S12", "足部护理", "daily_living", "visit", 20, 20),
    ("S13", "居室清洁", "daily_living", "visit", 30, 30), ("S14", "衣物清洗", "daily_living", "visit", 25, 30),
    ("S15", "协助移动", "daily_living", "visit", 15, 15),
    ("M01", "生命体征监测", "medical_care", "visit", 20, 15), ("M02", "血糖监测", "medical_care", "visit", 15, 10),
    ("M03", "鼻饲护理", "medical_care", "visit", 40, 20), ("M04", "留置导尿管护理", "medical_care", "visit", 50, 20),
    ("M05", "造口护理", "medical_care", "visit", 50, 20), ("M06", "压疮护理", "medical_care", "visit", 60, 30),
    ("M07", "吸痰", "medical_care", "visit", 30, 15), ("M08", "康复训练", "medical_care", "visit", 60, 45),
    ("M09", "用药指导", "medical_care", "visit", 15, 10), ("M10", "雾化吸入", "medical_care", "visit", 30, 20),
    ("D01", "养老机构护理（按日）", "daily_living", "day", 100, 0),
    ("D02", "医疗机构护理（按日）", "medical_care", "day", 80, 0),
]
_V2_EXTRA = [
    ("S16", "理发", "daily_living", "visit", 20, 20), ("S17", "协助服药", "daily_living", "visit", 10, 10),
    ("S18", "陪同散步", "daily_living", "visit", 20, 30), ("S19", "整理床单位", "daily_living", "visit", 15, 15),
    ("S20", "协助洗漱", "daily_living", "visit", 15, 15), ("S21", "饮食照料", "daily_living", "visit", 20, 20),
    ("S22", "安全照看", "daily_living", "visit", 30, 60), ("S23", "认知训练陪伴", "daily_living", "visit", 40, 45),
    ("S24", "陪同就医", "daily_living", "visit", 60, 90), ("S25", "代购生活用品", "daily_living", "visit", 15, 30),
    ("S26", "手部护理", "daily_living", "visit", 10, 10), ("M11", "伤口换药", "medical_care", "visit", 40, 20),
    ("M12", "肌肉注射", "medical_care", "visit", 20, 10), ("M13", "静脉采血", "medical_care", "visit", 20, 10),
    ("M14", "氧气吸入", "medical_care", "visit", 30, 30), ("M15", "灌肠", "medical_care", "visit", 40, 20),
    ("M16", "膀胱冲洗", "medical_care", "visit", 40, 20), ("M17", "吞咽功能训练", "medical_care", "visit", 50, 30),
    ("M18", "肢体被动活动", "medical_care", "visit", 40, 30), ("M19", "失智照护指导", "medical_care", "visit", 50, 40),
    ("M20", "疼痛评估", "medical_care", "visit", 20, 15), ("M21", "营养评估", "medical_care", "visit", 20, 15),
    ("M22", "跌倒风险评估", "medical_care", "visit", 20, 15),
]
DEMO_VERSIONS = (("DEMO-2022-10", dt.date(2022, 10, 1), dt.date(2023, 12, 31), _V1),
                 ("DEMO-2024-01", dt.date(2024, 1, 1), None, _V1 + _V2_EXTRA))


def load_demo(session: Session) -> int:
    """Load the DEMO catalogue's two versions (27 items from 2022-10, 50 from 2024-01); idempotent."""
    rows = [{"version": v, "valid_from": f, "valid_to": t, "code": c, "name": n, "category": cat, "unit": u,
             "price_fen": p * 100, "min_minutes": mins, "source": SOURCE}
            for v, f, t, items in DEMO_VERSIONS for c, n, cat, u, p, mins in items]
    return len(bulk_insert(session, CatalogueItem.__table__, rows, conflict=["version", "code"], returning=["id"]))


def items_on(session: Session, on: dt.date) -> dict[str, dict]:
    """The catalogue in force on ``on``: code → item."""
    rows = session.execute(text(
        "SELECT code, name, category, unit, price_fen, min_minutes, version FROM ltc_catalogue_items "
        "WHERE valid_from <= :d AND (valid_to IS NULL OR valid_to >= :d) ORDER BY code"), {"d": on}).mappings()
    return {r["code"]: dict(r) for r in rows}


def require_items(session: Session, codes, on: dt.date, field: str = "items") -> dict[str, dict]:
    """The catalogue items ``codes`` in force on ``on``; a code not in that version is refused, by name."""
    cat = items_on(session, on)
    if not cat:
        raise InvalidInput(f"{on} 没有生效的护理服务目录", f"no service catalogue is in force on {on}", field=field,
                           code="no_catalogue")
    codes = list(dict.fromkeys(codes))
    if not codes:
        raise InvalidInput("至少选择一个护理服务项目", "choose at least one service item", field=field)
    unknown = [c for c in codes if c not in cat]
    if unknown:
        raise InvalidInput(f"服务目录（{on}）中没有这些项目：{'、'.join(unknown)}",
                           f"not in the service catalogue in force on {on}: {', '.join(unknown)}", field=field,
                           code="unknown_item")
    return {c: cat[c] for c in codes}
