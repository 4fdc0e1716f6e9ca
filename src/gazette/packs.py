"""Discovery of content packs (a city's gazettes, policies and schemes).

The platform never imports a pack by name: packs register under the ``gazette.packs``
entry point and are chosen with ``GAZETTE_PACK``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gazette.errors import Misconfigured

# Same default as gazette.settings.Settings.pack (a test holds them equal): read here without
# pydantic-settings, whose import alone costs the CLI a fifth of a second.
DEFAULT_PACK = "jiaxing"


@dataclass(frozen=True)
class NavItem:
    """A link the pack adds to every page's main navigation, shown to the roles listed
    (to everyone, signed in or not, when ``roles`` is empty)."""

    href: str
    label_zh: str
    label_en: str
    roles: tuple[str, ...] = ()
    #: Paths under which the link is marked as the current page (default: ``href`` itself).
    prefixes: tuple[str, ...] = ()

    def shown_to(self, role: str | None) -> bool:
        return not self.roles or (role is not None and role in self.roles)

    def current(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in (self.prefixes or (self.href,)))


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    gazette_dir: Path
    policies_dir: Path | None = None
    # Modules the platform loads by name: each ``commands`` module has ``register(app)`` adding
    # Typer commands; each ``routers`` module has a FastAPI ``router`` mounted under /api/v1.
    commands: tuple[str, ...] = ()
    routers: tuple[str, ...] = ()
    # Web pages of the pack's schemes (modules with a FastAPI ``router``) and the folder of their
    # templates, which extend the platform's ``base.html``.
    pages: tuple[str, ...] = ()
    templates_dir: Path | None = None
    # Links to the pack's services in the main navigation, after the platform's own.
    nav: tuple[NavItem, ...] = ()
    extras: dict = field(default_factory=dict)

    def gazette_files(self) -> list[Path]:
        return sorted(self.gazette_dir.glob("*.txt"))


def pack_name() -> str:
    env = {k.upper(): v for k, v in os.environ.items() if k.upper() == "GAZETTE_PACK"}
    return env.get("GAZETTE_PACK") or DEFAULT_PACK


def _entry_point(name: str):
    from importlib.metadata import entry_points

    for ep in entry_points(group="gazette.packs"):
        if ep.name == name:
            return ep
    return None


def pack_module(name: str | None = None) -> str | None:
    """The module that defines the pack (its ``commands`` list lives there)."""
    ep = _entry_point(name or pack_name())
    return ep.value.split(":", 1)[0] if ep else None


def load_pack(name: str | None = None) -> Pack:
    name = name or pack_name()
    ep = _entry_point(name)
    if ep is not None:
        return ep.load()
    raise Misconfigured(
        code="pack_not_found",
        message_zh=f"未找到内容包：{name}",
        message_en=f"content pack not found: {name}",
        field="GAZETTE_PACK",
    )
