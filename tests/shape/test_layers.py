"""The import rules of docs/architecture.md ("Packages and what each may import"), checked over every
import of src/ — module level and function level alike, since a deferred import is still a dependency;
only ``if TYPE_CHECKING:`` blocks are left out (annotations, not dependencies)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# The edges: routers, CLI groups and page modules, which alone may speak HTTP or the terminal; the web
# pages of the pack; and the HTTP side of authentication (cookies, bearer tokens, the caller's address).
EDGE = re.compile(r"(^gazette\.(api|web|cli)(\.|$))|(^jiaxing\.web(\.|$))|(\.(api|cli|pages)$)|(_(api|cli|pages)$)"
                  r"|(\.cli_\w+$)|(\.pages_\w+$)|(^gazette\.auth\.(deps|web|sessions|audit)$)")
FRAMEWORKS = ("fastapi", "starlette", "typer", "rich")
PURE_LEDGER = ("gazette.ledger.postings", "gazette.ledger.canonical", "gazette.ledger.money", "gazette.ledger.clock")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every module of src/ → the absolute names of everything it imports (relative imports resolved)."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        name = _module_name(path)
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block)
                     for statement in block.body for n in ast.walk(statement)}
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        found[name] = targets
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"


IMPORTS = _imports()


def _offenders(modules, forbidden) -> list[str]:
    return sorted(f"{module} → {target}" for module in modules for target in IMPORTS[module]
                  if any(target == f or target.startswith(f + ".") for f in forbidden))


def test_the_walk_sees_both_packages_and_their_imports():
    assert "gazette.ledger.postings" in IMPORTS and "jiaxing.schemes.ltc.care.handlers" in IMPORTS
    assert "gazette.schemes.handler" in IMPORTS["jiaxing.schemes.ltc.care.handlers"] | {
        t.rsplit(".", 1)[0] for t in IMPORTS["jiaxing.schemes.ltc.care.handlers"]}
    assert _offenders(["gazette.api.app"], FRAMEWORKS)  # the finder finds a framework where there is one


def test_the_platform_never_imports_the_pack():
    assert not _offenders([m for m in IMPORTS if m.startswith("gazette")], ["jiaxing"])


def test_domain_code_never_imports_a_web_or_terminal_framework():
    domain = [m for m in IMPORTS if not EDGE.search(m)]
    assert len(domain) > 100
    assert not _offenders(domain, FRAMEWORKS)


@pytest.mark.parametrize("module", PURE_LEDGER)
def test_pure_ledger_modules_touch_no_database(module):
    assert not _offenders([module], ["sqlalchemy", "gazette.store", "gazette.ledger.store", "gazette.ledger.ledger"])


def test_reports_depend_on_the_store_never_on_the_ledger_class():
    assert not _offenders(["gazette.ledger.reports"], ["gazette.ledger.ledger"])
    assert not _offenders(["gazette.ledger.store"], ["gazette.ledger.ledger", "gazette.ledger.reports"])


def test_errors_know_no_http_and_no_other_module():
    assert not _offenders(["gazette.errors"], ["gazette", "jiaxing", *FRAMEWORKS, "http"])
