"""A finder result as a PDF (fpdf2): the answers, each policy's verdict and amount with its clause, the
conditions in words, the clause texts, the date each topic was evaluated on and when it was computed.

Chinese needs a CJK font. The font is found on the system (Debian's ``fonts-noto-cjk``, installed by
``make browser``; or WenQuanYi / Droid fallback), or named by ``GAZETTE_CJK_FONT`` (``path[:index]``
for a .ttc collection). Without one the page says so (503) instead of printing empty boxes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fpdf import FPDF

from gazette.errors import Unavailable
from gazette.rules.money import fmt_yuan

# (path, index inside a .ttc collection): Noto Sans CJK SC is the third face of Debian's collection
CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
)
WORD = {"pass": "符合", "fail": "不符合", "unknown": "需确认"}


class NoFont(Unavailable):
    def __init__(self) -> None:
        super().__init__("服务器缺少中文字体，暂时无法生成 PDF；请使用“打印”另存为 PDF",
                         "the server has no Chinese font for the PDF; use Print and save as PDF instead",
                         code="pdf_font_missing")


def find_font() -> tuple[str, int] | None:
    env = os.environ.get("GAZETTE_CJK_FONT")
    if env:
        path, _, idx = env.partition(":") if not Path(env).exists() else (env, "", "")
        if Path(path).exists():
            return path, int(idx or 0)
    for path, idx in CANDIDATES:
        if Path(path).exists():
            return path, idx
    return None


def render_pdf(ctx: dict[str, Any]) -> bytes:
    font = find_font()
    if font is None:
        raise NoFont()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    path, idx = font
    kw = {"collection_font_number": idx} if path.endswith(".ttc") else {}
    pdf.add_font("cjk", fname=path, **kw)
    pdf.set_title("政策计算结果 Policy finder result")
    pdf.set_creator("Gazette 嘉兴市人民政府公报")
    pdf.add_page()
    w = pdf.epw

    def line(text: str, size: float = 10, h: float = 5.5) -> None:
        pdf.set_font("cjk", size=size)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(w, h, text)

    line("政策计算结果 Policy finder result", 16, 9)
    line(f"生成时间 Computed: {ctx['computed']}（北京时间 Asia/Shanghai）", 9)
    line(f"链接 Link: {ctx['base_url']}{ctx['permalink']}", 8)
    pdf.ln(2)
    line("您的回答 Your answers", 12, 7)
    for zh, en, val in ctx["summary"]:
        line(f"· {zh} {en}：{val}", 9)
    texts = ctx.get("texts") or {}
    for b in ctx["blocks"]:
        calc = b["calc"]
        pdf.ln(3)
        line(f"{calc.title_zh} {calc.title_en}", 13, 8)
        line(f"计算日期 Evaluated on {calc.on.isoformat()}（{calc.on_reason_zh} {calc.on_reason_en}）", 9)
        for key in ("claims", "limits", "other", "not", "unknown", "nif"):
            for v in b[key]:
                pdf.ln(1.5)
                line(f"{v['title_zh']} {v['title_en']}", 11, 6.5)
                line(_verdict(v), 10)
                line(f"依据 Clause: {v['clause'].replace('#', ' ')}", 9)
                for c in v["conditions"]:
                    line(f"  [{WORD[c['status']]}] {c['zh']}", 9)
                if v["missing"]:
                    line("  还需要 Still needed: " + "、".join(m["label"] for m in v["missing"]), 9)
                if v.get("offline"):
                    line("  " + v["offline"][0], 9)
                for cid in v["references"]:
                    t = texts.get(cid)
                    if t:
                        body = " ".join(x for x in (t.get("label"), t.get("heading"), t.get("text")) if x)
                        line(f"  条款原文 {cid.replace('#', ' ')}：{body[:1200]}", 8, 4.5)
    pdf.ln(3)
    line("本结果依据嘉兴市人民政府公报计算，仅供参考；以主管部门的审核为准。"
         "Computed from the Jiaxing municipal gazette for information; the responsible department decides.", 8)
    return bytes(pdf.output())


def _verdict(v: dict) -> str:
    if v.get("not_in_force"):
        return f"不在施行期内 Not in force on that date — {v['not_in_force']['zh']}"
    if v["status"] == "eligible" and v["fen"] is not None and v["has_unit"]:
        label = {"benefit": "可享受 You can claim", "contribution": "应缴 You pay",
                 "limit": "限额（不是补贴） A limit, not a payment"}.get(v["kind"], "金额 Amount")
        period = {"month": " / 月 month", "year": " / 年 year"}.get(v.get("period") or "", "")
        return f"{label}：¥{fmt_yuan(v['fen'])}{period}"
    if v["status"] == "eligible":
        return "符合条件 Eligible"
    if v["status"] == "ineligible":
        return "不符合 Not eligible"
    return "? 需确认 To be confirmed"
