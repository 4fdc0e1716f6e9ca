"""The one Jinja environment every web page renders with: filters, globals and the 长辈版 switch."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from gazette.ledger.money import fen_to_yuan

HERE = Path(__file__).resolve().parent


def _template_dirs() -> list[str]:
    """The platform's templates, then the content pack's (its pages extend ``base.html``)."""
    from gazette.packs import load_pack

    dirs = [str(HERE / "templates")]
    pack_dir = load_pack().templates_dir
    if pack_dir is not None and pack_dir.is_dir():
        dirs.append(str(pack_dir))
    return dirs


templates = Jinja2Templates(directory=_template_dirs())

STATUS_LABELS = {
    "in_force": "现行有效 In force",
    "not_yet_in_force": "尚未施行 Not yet in force",
    "expired": "已失效 Expired",
    "repealed": "已废止 Repealed",
}

# 长辈版 (large-text mode) is remembered in a cookie so every page honours it.
ELDER_COOKIE = "gazette_elder"


def _snippet(html: str) -> Markup:
    """Escape a snippet but keep the <mark> highlighting the search engine put in."""
    return Markup(str(escape(html)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def _yuan(fen: int | None) -> str:
    """Integer fen → '6,000.00' for display; money never passes through float."""
    return "—" if fen is None else fen_to_yuan(fen, grouping=True)


def elder_mode(request: Request) -> bool:
    return request.cookies.get(ELDER_COOKIE) == "1"


def role_label(role: object) -> str:
    """A role as people read it: 中文 English (one label, from the platform's list)."""
    from gazette.auth.principal import ROLE_LABELS, Role

    try:
        zh, en = ROLE_LABELS[Role(str(role))]
    except (ValueError, KeyError):
        return str(role)
    return f"{zh} {en}"


def pack_nav(user: object, path: str) -> list[dict]:
    """The pack's navigation links this user may see, with the current one marked."""
    from gazette.packs import load_pack

    role = str(user.role) if user is not None else None
    return [{"href": item.href, "label": f"{item.label_zh} {item.label_en}", "current": item.current(path)}
            for item in load_pack().nav if item.shown_to(role)]


templates.env.filters["snippet"] = _snippet
templates.env.filters["yuan"] = _yuan
templates.env.globals["STATUS_LABELS"] = STATUS_LABELS
templates.env.globals["elder_mode"] = elder_mode
templates.env.globals["role_label"] = role_label
templates.env.globals["pack_nav"] = pack_nav
