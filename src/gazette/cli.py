"""The ``gazette`` command (Typer): a thin shell over the domain services.

Errors never reach the user as a traceback: a domain error prints one line (中文 / English)
and exits 1; anything unexpected prints one line and exits 2 (set GAZETTE_DEBUG=1 to see more).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from gazette.cli_lazy import LazyGroup
from gazette.errors import GazetteError, InvalidInput

# Commands of the rules engine, access control and the pack's schemes are listed in --help but
# imported only when run (gazette.cli_lazy): start-up stays fast.
app = typer.Typer(
    cls=LazyGroup,
    name="gazette",
    rich_markup_mode=None,  # plain click help: rich's help renderer alone costs ~0.1 s
    help="嘉兴市人民政府公报 — the municipal gazette, made executable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class _LazyConsole:
    """A rich Console made on first print: importing rich costs start-up time --help need not pay."""

    def __init__(self, stderr: bool = False):
        self._stderr = stderr
        self._console = None

    def real(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.real(), name)


console = _LazyConsole()
err_console = _LazyConsole(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _read_corpus(query: Callable[[Any, Any], Any]) -> Any:
    """One read of the corpus service (imported here, so that ``gazette --help`` stays fast), in its own
    unit of work: ``query(service, session)``."""
    from gazette.corpus import service

    with _uow() as session:
        return query(service, session)


def _print_rows(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict[str, Any]], str]) -> None:
    """A listing: the rows as JSON with --json, else one line each."""
    if as_json:
        emit(rows)
        return
    for row in rows:
        console.print(line(row))


def parse_date(value: str | None, field: str = "on") -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value}", f"date must be YYYY-MM-DD: {value}", field=field) from exc


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"gazette {version('gazette')}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """嘉兴市人民政府公报 — the municipal gazette, made executable."""


def _uow():
    from gazette.store.db import unit_of_work

    ensure_database()
    return unit_of_work()


_checked_databases: set[str] = set()


def ensure_database() -> None:
    """Create or upgrade the schema before a command touches the database (once per process):
    ``gazette ingest`` on a new database just works. Says in one line on stderr what it did."""
    from gazette.cli_db import pending_migrations
    from gazette.settings import get_settings

    url = get_settings().database_url
    if url in _checked_databases:
        return
    pending = pending_migrations(url)
    if pending:
        from gazette.store.migrate import upgrade

        err_console.print(f"数据库迁移 / migrating the database ({pending}): {url}")
        upgrade(url)
    _checked_databases.add(url)


# --- setup -----------------------------------------------------------------------------------


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from gazette.settings import get_settings
    from gazette.store.migrate import upgrade

    upgrade()
    console.print(f"database ready: {get_settings().database_url}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, reload: bool = False,
          workers: Annotated[int, typer.Option(min=1, max=64, help="server processes on one socket")] = 1) -> None:
    """Serve the REST API and the web application."""
    from gazette.api.server import run

    run("gazette.api.app:app", host=host, port=port, reload=reload, workers=workers, log_level="info")


# --- corpus ----------------------------------------------------------------------------------


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A gazette issue or a single document (text).")],
    as_json: JsonFlag = False,
) -> None:
    """Parse a gazette file and print what was found; stores nothing."""
    from gazette.corpus.parse import parse_bytes

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件：{file}", f"cannot read file: {file} ({exc.strerror})", field="file") from exc
    result = parse_bytes(data, filename=str(file))
    if as_json:
        emit(result.to_dict())
        return
    if result.issue:
        i = result.issue
        console.print(f"[bold]{i.title}[/bold]  published {i.published}")
    from rich.table import Table

    # Fits 80 columns: ids and titles wrap (never cut with …), dates and counts stay whole.
    table = Table()
    table.add_column("id", overflow="fold", min_width=20)
    table.add_column("signed", no_wrap=True)
    table.add_column("clauses", no_wrap=True, justify="right")
    table.add_column("title · category", overflow="fold", ratio=1)
    for d in result.documents:
        table.add_row(d.id, str(d.signed or ""), str(sum(1 for _ in d.iter_clauses())),
                      d.title + (f"（{d.category}）" if d.category else ""))
    console.print(table)
    console.print(f"{len(result.relations)} relations, {len(result.personnel)} personnel records, "
                  f"{len(result.catalog)} catalog entries, {len(result.tasks)} tasks")
    for w in result.warnings:
        console.print(f"warning {w.code}: {w.message}", markup=False)
    for note in result.source_notes:
        console.print(f"note: {note}", markup=False)


@app.command()
def ingest(
    files: Annotated[list[Path] | None, typer.Argument(help="Gazette files to ingest.")] = None,
    pack: Annotated[bool, typer.Option("--pack", help="Ingest the gazettes shipped with the content pack.")] = False,
    as_json: JsonFlag = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a stored issue even if documents, clauses or "
                                                        "dates would be lost (the old version is kept).")] = False,
) -> None:
    """Parse and store gazette files (one transaction per file; unchanged files are skipped)."""
    from gazette.corpus import service
    from gazette.packs import load_pack

    paths = list(files or [])
    if pack:
        paths.extend(load_pack().gazette_files())
    if not paths:
        raise InvalidInput("请给出要导入的文件，或使用 --pack", "give files to ingest, or --pack", field="files")
    from rich.progress import Progress

    reports = []
    with Progress(console=err_console.real(), transient=True, disable=as_json) as progress:
        task = progress.add_task("ingesting", total=len(paths))
        for path in paths:
            try:
                with _uow() as session:
                    reports.append(service.ingest_file(session, path, force=force).to_dict())
            except InvalidInput as exc:
                if exc.code not in service.UNREADABLE_CODES:
                    raise
                # ingest never refuses a batch over one file it cannot read: it says why and goes on
                reports.append(service.skipped_report(path.name, exc))
            progress.advance(task)
        progress.add_task("indexing for search", total=None)
        with _uow() as session:  # the index is derived: refresh it once, after the data has landed
            service.search_index(session)
    if as_json:
        emit({"ingested": reports})
        return
    for r in reports:
        console.print(f"{r['outcome']:>9}  {r['filename']}: {r['documents']} documents, {r['clauses']} clauses, "
                      f"{r['relations']} relations, {len(r['warnings'])} warnings", markup=False)
        for w in r["warnings"]:
            console.print(f"           warning {w['code']}: {w['message']}", markup=False)


@app.command()
def show(ident: Annotated[str, typer.Argument(metavar="ID")], on: str | None = None, as_json: JsonFlag = False) -> None:
    """Show a document (文号 in any variant, or title) or a clause (文号#path)."""
    data = _read_corpus(lambda service, session: service.show(session, ident, parse_date(on)))
    if as_json:
        emit(data)
        return
    if data["kind"] == "clause":
        console.print(f"[bold]{data['id']}[/bold]  ({data['status']['status']})")
        console.print(data.get("heading") or "")
        console.print(data["text"])
        return
    console.print(f"[bold]{data.get('title', data['id'])}[/bold]  {data.get('doc_number') or ''}  ({data['status']['status']})")
    for clause in data.get("clauses", []):
        console.print(f"  {clause['id']}  {clause.get('heading') or clause['text'][:40]}")


@app.command()
def status(ident: Annotated[str, typer.Argument(metavar="ID")], on: str | None = None, as_json: JsonFlag = False) -> None:
    """Status of a document or clause on a date: not_yet_in_force / in_force / expired / repealed."""
    result = _read_corpus(lambda service, session: service.status(session, ident, parse_date(on)).to_dict())
    if as_json:
        emit(result)
        return
    console.print(f"{result['id']} on {result['on']}: [bold]{result['status']}[/bold]")
    for reason in result["because"]:
        console.print(f"  because {reason}")


@app.command()
def relations(ident: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonFlag = False) -> None:
    """Relations of a document, both directions (repeals / repealed_by, cites / cited_by …)."""
    data = _read_corpus(lambda service, session: service.relations(session, ident))
    if as_json:
        emit(data)
        return
    for r in data["outgoing"]:
        console.print(f"{r['type']:>14} → {r['target']}  {r.get('target_title') or ''}")
    for r in data["incoming"]:
        console.print(f"{r['type']:>14} ← {r['source']}")


@app.command()
def personnel(
    person: str | None = None, month: str | None = None, as_json: JsonFlag = False
) -> None:
    """Appointments and removals (市政府人事任免)."""
    rows = _read_corpus(lambda service, session: service.personnel(session, person, month))
    _print_rows(rows, as_json, lambda r: f"{r['month']}  {r['action']:<7} {r['person']}  {'，'.join(r['positions'])}")


@app.command()
def catalog(issue: str | None = None, as_json: JsonFlag = False) -> None:
    """Catalog entries (发文目录 …), marked printed or not printed in the issue."""
    rows = _read_corpus(lambda service, session: service.catalog(session, issue))
    _print_rows(rows, as_json,
                lambda r: f"{'printed' if r['printed'] else 'NOT printed':>11}  {r['doc_number'] or '':<20} {r['title']}")


@app.command()
def tasks(document: str | None = None, unit: str | None = None, as_json: JsonFlag = False) -> None:
    """Tasks assigned to responsible units (责任单位)."""
    rows = _read_corpus(lambda service, session: service.tasks(session, document, unit))
    _print_rows(rows, as_json, lambda r: f"{r['id']}  [{'、'.join(r['units'])}]  {r['text'][:50]}")


@app.command()
def issues(as_json: JsonFlag = False) -> None:
    """The gazette issues in the database."""
    rows = _read_corpus(lambda service, session: service.list_issues(session))
    _print_rows(rows, as_json, lambda r: f"{r['id']}  {r['title']}  published {r['published']}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words, a phrase, or a 文号 in any variant.")],
    on: str | None = None,
    category: str | None = None,
    issuer: str | None = None,
    year: int | None = None,
    status_: Annotated[str | None, typer.Option("--status")] = None,
    limit: int = 10,
    as_json: JsonFlag = False,
) -> None:
    """Chinese full-text search, ranked by relevance, with facets and highlighted snippets."""
    from gazette.corpus import service

    filters: dict[str, Any] = {k: v for k, v in (("category", category), ("issuer", issuer), ("year", year), ("status", status_)) if v}
    with _uow() as session:
        result = service.search(session, query, parse_date(on), filters, limit)
    if as_json:
        emit(result)
        return
    if result.get("relaxed"):
        console.print("没有文件同时包含所有检索词，以下包含其中部分 / no document has every word: these have some", markup=False)
    for h in result["hits"]:
        console.print(f"{h['id']}  {h['title']}", markup=False, style="bold")
        console.print(terminal_snippet(h["snippet"]), markup=False, highlight=False)
    if not result["hits"]:
        console.print(f"未找到 / no match: {query}", markup=False)
        if result.get("suggestions"):
            console.print("您是不是要找 / did you mean: " + " · ".join(result["suggestions"]), markup=False)


def terminal_snippet(snippet: str) -> Any:
    """A search snippet for the terminal: <mark>…</mark> becomes bold reverse text, entities are
    unescaped — never raw HTML."""
    import html
    import re

    from rich.text import Text

    out = Text("      ")
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        out.append(html.unescape(part), style="bold reverse" if i % 2 else None)
    return out


@app.command()
def export(
    ident: Annotated[str, typer.Argument(metavar="ID", help="A document id / 文号, or an issue id such as 2022-10.")],
    format_: Annotated[str, typer.Option("--format", help="akn or json")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
) -> None:
    """Export a document or an issue as JSON or Akoma Ntoso XML."""
    from gazette.corpus import service

    with _uow() as session:
        text = service.export(session, ident, format_)
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"written {output}")
    else:
        sys.stdout.write(text + "\n")



def main() -> None:
    try:
        app()
    except GazetteError as exc:
        sys.stderr.write(f"错误 / error: {exc}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("已中断 / interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("GAZETTE_DEBUG"):
            raise
        if _missing_schema(exc):  # a scheme command on a database no command has migrated yet
            sys.stderr.write("错误 / error: 数据库尚未初始化，请先运行 gazette migrate / the database has no schema yet: "
                             "run `gazette migrate`\n")
            sys.exit(1)
        sys.stderr.write(f"内部错误 / internal error: {exc.__class__.__name__}: {exc}\n")
        sys.exit(2)


def _missing_schema(exc: Exception) -> bool:
    text = str(exc).lower()
    return type(exc).__name__ in ("OperationalError", "ProgrammingError") and (
        "no such table" in text or ("relation" in text and "does not exist" in text))


if __name__ == "__main__":
    main()
