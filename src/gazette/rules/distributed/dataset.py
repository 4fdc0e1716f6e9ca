"""A dataset directory of Parquet files per entity: discovery, partition planning and validation.

Layout: ``DIR/<plural>/*.parquet`` (``persons``, ``vehicle_purchases``, ``enterprises`` … — the keys of
a situation), or ``DIR/<plural>.parquet``; the columns are those of a situation (``_id`` or ``id``;
money in yuan or as ``<name without _yuan>_fen``; ``name@2022`` for yearly facts; see
:func:`gazette.rules.batch.normalise`). A partition is a file, or a range of its row groups when a file
is larger than ``rows_per_task``.

Validation runs before any result is written:

1. footers (client side): every file readable, every partition of an entity with the same columns,
   each column of a type its variable accepts;
2. a check task per file (workers): the file's checksum; ids present and unique within the file;
   text columns that must be converted (money in yuan, dates, choices …) convertible, row by row;
   ids and links hashed into buckets;
3. bucket tasks (workers): ids unique across the dataset, every link (``buyer``) pointing at an id
   of its target entity — a hash shuffle, so no worker holds a whole column.

An error names the file, the row group and the column (:class:`BadPartition`).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from gazette.errors import InvalidInput
from gazette.rules.distributed.footer import row_groups

SEEDS = {"seed": 0x6A7867617A}  # fixed: hashes agree across processes (checked in the tests)


@dataclass
class BadPartition:
    """What is wrong with a partition, and where."""

    file: str
    code: str
    message_zh: str
    message_en: str
    column: str | None = None
    row_group: int | None = None
    row: int | None = None

    def where(self) -> str:
        parts = [self.file]
        if self.row_group is not None:
            parts.append(f"row group {self.row_group}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def error(self) -> InvalidInput:
        return InvalidInput(f"{self.message_zh}（{self.where()}）", f"{self.message_en} ({self.where()})",
                            field=self.where(), code=self.code)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class FileInfo:
    entity: str  # entity name (person, vehicle_purchase …)
    plural: str
    path: Path
    groups: list[int]  # rows per row group
    schema: dict[str, pl.DataType] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.groups)

    def row_group_of(self, row: int) -> int:
        acc = 0
        for i, n in enumerate(self.groups):
            acc += n
            if row < acc:
                return i
        return max(len(self.groups) - 1, 0)


@dataclass(frozen=True)
class Partition:
    """One unit of work: row groups [rg_start, rg_end) of a file (rows [offset, offset + rows))."""

    entity: str
    plural: str
    path: str
    rg_start: int
    rg_end: int
    offset: int
    rows: int
    whole_file: bool

    @property
    def key(self) -> str:
        stem = Path(self.path).name.removesuffix(".parquet")
        return f"{self.plural}/{stem}" if self.whole_file else f"{self.plural}/{stem}@rg{self.rg_start}-{self.rg_end - 1}"


def discover(root: Path, engine) -> dict[str, list[FileInfo]]:
    """Parquet files per entity (by plural folder or file name); unreadable footers raise at once."""
    root = Path(root)
    if not root.is_dir():
        raise InvalidInput(f"数据集目录不存在：{root}", f"no such dataset directory: {root}", field="DATASET")
    out: dict[str, list[FileInfo]] = {}
    for plural, ent in engine.by_plural.items():
        files = sorted((root / plural).glob("*.parquet")) if (root / plural).is_dir() else []
        if (root / f"{plural}.parquet").is_file():
            files.append(root / f"{plural}.parquet")
        if files:
            out[ent.name] = [FileInfo(ent.name, plural, f, []) for f in files]
    if not out:
        raise InvalidInput(f"{root} 中没有实体数据（应为 persons/、vehicle_purchases/ 等目录下的 .parquet 文件）",
                           f"no entity data in {root} (expected .parquet files under persons/, vehicle_purchases/ …)",
                           field="DATASET", code="empty_dataset")
    return out


def read_footers(files: dict[str, list[FileInfo]]) -> list[BadPartition]:
    bad = []
    for infos in files.values():
        for fi in infos:
            try:
                fi.groups = row_groups(fi.path)
                fi.schema = dict(pl.read_parquet_schema(fi.path))
            except InvalidInput as exc:
                bad.append(BadPartition(str(fi.path), "unreadable_partition", exc.message_zh, exc.message_en))
            except Exception as exc:  # noqa: BLE001 — polars raises many kinds; one line for the user
                first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
                bad.append(BadPartition(str(fi.path), "unreadable_partition", f"无法读取：{first}", f"unreadable: {first}"))
    return bad


# what a Parquet column may hold for each variable type (text is parsed, row by row, in the check task)
def _accepts(vtype: str, dtype: pl.DataType) -> bool:
    if dtype == pl.Null:
        return True
    text = dtype in (pl.String, pl.Categorical) or isinstance(dtype, (pl.Enum, pl.Categorical))
    if vtype in ("money", "decimal"):
        return dtype.is_integer() or dtype.is_float() or isinstance(dtype, pl.Decimal) or text
    if vtype == "int":
        return dtype.is_integer() or text
    if vtype == "bool":
        return dtype == pl.Boolean or text
    if vtype in ("str", "ref"):
        return text
    if vtype == "date":
        return dtype == pl.Date or text
    if vtype == "datetime":
        return isinstance(dtype, pl.Datetime) or text
    return True


def variable_of(engine, entity: str, column: str):
    """(variable, is_fen) of an input column, or (None, False) for a column the entity does not declare."""
    from gazette.rules.batch import _canon_name
    from gazette.rules.entities import split_column

    ent = engine.entities[entity]
    base, _ = split_column(_canon_name(column))
    if "." in base:
        link, rest = base.split(".", 1)
        lv = ent.variable(link)
        if lv is None or not lv.target:
            return None, False
        return engine.entities[lv.target].variable(split_column(rest)[0]), False
    if base.endswith("_fen") and ent.variable(base[:-4] + "_yuan") is not None:
        return ent.variable(base[:-4] + "_yuan"), True
    return ent.variable(base), False


def check_schemas(engine, files: dict[str, list[FileInfo]], bad_files: set[str]) -> list[BadPartition]:
    """Same columns in every file of an entity; an id column; each column of an accepted type."""
    bad: list[BadPartition] = []
    for entity, infos in files.items():
        good = [fi for fi in infos if str(fi.path) not in bad_files]
        if not good:
            continue
        union: dict[str, pl.DataType] = {}
        for fi in good:
            for c, t in fi.schema.items():
                union.setdefault(c, t)
        for fi in good:
            f = str(fi.path)
            missing = [c for c in union if c not in fi.schema]
            if missing:
                bad.append(BadPartition(f, "missing_column", f"缺少列 {missing[0]}（本实体其他分区有此列）",
                                        f"missing column {missing[0]} (other partitions of {entity} have it)",
                                        column=missing[0]))
                continue
            if "_id" not in fi.schema and "id" not in fi.schema:
                bad.append(BadPartition(f, "missing_column", "缺少 id 列（_id 或 id）", "no id column (_id or id)",
                                        column="_id"))
                continue
            for c, t in fi.schema.items():
                if c in ("_id", "id"):
                    ok = t == pl.String or t.is_integer() or isinstance(t, (pl.Categorical, pl.Enum))
                    vtype = "id"
                else:
                    var, is_fen = variable_of(engine, entity, c)
                    if var is None:
                        continue  # undeclared columns are carried through and ignored, as in `gazette batch`
                    vtype = var.type
                    ok = t.is_integer() if is_fen else _accepts(var.type, t)
                if ok and t != union[c] and not (t == pl.Null or union[c] == pl.Null):
                    ok = False
                if not ok:
                    bad.append(BadPartition(f, "wrong_type", f"列类型错误：{c} 为 {t}，应为 {vtype}",
                                            f"wrong type: column {c} is {t}, expected {vtype}"
                                            + (f" like the other partitions ({union[c]})" if t != union[c] else ""),
                                            column=c, row_group=0 if fi.groups else None))
                    break
    return bad


def plan(files: dict[str, list[FileInfo]], rows_per_task: int, skip: set[str]) -> list[Partition]:
    parts: list[Partition] = []
    for entity, infos in files.items():
        for fi in infos:
            if str(fi.path) in skip:
                continue
            groups = fi.groups or [0]
            if fi.rows <= rows_per_task or len(groups) == 1:
                parts.append(Partition(entity, fi.plural, str(fi.path), 0, len(groups), 0, fi.rows, True))
                continue
            start, offset, acc = 0, 0, 0
            for i, n in enumerate(groups):
                acc += n
                if acc >= rows_per_task or i == len(groups) - 1:
                    parts.append(Partition(entity, fi.plural, str(fi.path), start, i + 1, offset, acc, False))
                    start, offset, acc = i + 1, offset + acc, 0
    return parts


# ------------------------------------------------------------------ the check task (runs on a worker)


def file_checksum(path: str | Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _lenient(var, s: pl.Series) -> pl.Series:
    """The column as its variable would read it, null where the text cannot be read."""
    t = var.type
    if t in ("money", "decimal"):
        return s.cast(pl.String).str.strip_chars().cast(pl.Decimal(38, var.column_scale), strict=False)
    if t == "int":
        return s.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)
    if t == "bool":
        low = s.cast(pl.String).str.to_lowercase()
        return pl.select(pl.when(low.is_in(["true", "false", "1", "0"])).then(low).otherwise(None))[low.name]
    if t in ("str", "ref"):
        if var.choices:
            v = s.cast(pl.String)
            return pl.select(pl.when(v.is_in(list(var.choices))).then(v).otherwise(None))[v.name]
        return s
    if t == "date":
        return s.cast(pl.String).str.to_date(strict=False)
    if t == "datetime":
        return s.cast(pl.String).str.to_datetime(strict=False)
    return s


def hash_buckets(s: pl.Series, buckets: int) -> list[np.ndarray]:
    h = s.drop_nulls().cast(pl.String).hash(**SEEDS).to_numpy()
    b = h % np.uint64(buckets)
    return [np.sort(h[b == i]) for i in range(buckets)]


def check_file(engine, fi_path: str, entity: str, buckets: int) -> dict:
    """Checksum, per-row validity of text columns, ids unique in the file; id and link hashes."""
    from gazette.rules.batch import _canon_name  # noqa: F401 — same naming as `gazette batch`

    out: dict = {"path": fi_path, "entity": entity, "bad": None}
    try:
        out["checksum"] = file_checksum(fi_path)
        schema = dict(pl.read_parquet_schema(fi_path))
        groups = row_groups(Path(fi_path))
    except Exception as exc:  # noqa: BLE001
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        out["bad"] = BadPartition(fi_path, "unreadable_partition", f"无法读取：{first}", f"unreadable: {first}")
        return out
    info = FileInfo(entity, "", Path(fi_path), groups, schema)
    idcol = out["idcol"] = "_id" if "_id" in schema else "id"
    ent = engine.entities[entity]
    refs = [v.name for v in ent.variables if v.type == "ref" and v.name in schema]
    text_cols = []
    for c, t in schema.items():
        if c in (idcol, *refs):
            continue
        var, is_fen = variable_of(engine, entity, c)
        if var is not None and not is_fen and (t == pl.String or isinstance(t, (pl.Categorical, pl.Enum))) \
                and not (var.type == "str" and not var.choices):
            text_cols.append((c, var))
    try:
        df = pl.read_parquet(fi_path, columns=[idcol, *refs, *[c for c, _ in text_cols]])
    except Exception as exc:  # noqa: BLE001
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        out["bad"] = BadPartition(fi_path, "unreadable_partition", f"无法读取：{first}", f"unreadable: {first}")
        return out
    out["rows"] = df.height

    def at(row: int, column: str, code: str, zh: str, en: str) -> BadPartition:
        return BadPartition(fi_path, code, zh, en, column=column, row_group=info.row_group_of(row), row=row)

    ids = df[idcol].cast(pl.String)
    nulls = ids.is_null() | (ids.str.len_chars() == 0)
    if nulls.any():
        out["bad"] = at(int(nulls.arg_true()[0]), idcol, "missing_id", "id 为空", "empty id")
        return out
    h = ids.hash(**SEEDS).to_numpy()
    hs = np.sort(h)
    if (hs[1:] == hs[:-1]).any():  # a repeated hash: confirm on the ids themselves (a hash table is 7× dearer)
        dup = ids.is_duplicated()
        if dup.any():
            r = int(dup.arg_true()[0])
            out["bad"] = at(r, idcol, "duplicate_id", f"id 重复：{ids[r]}", f"duplicate id {ids[r]}")
            return out
    for c, var in text_cols:
        s = df[c]
        bad = s.is_not_null() & _lenient(var, s).is_null()
        if bad.any():
            r = int(bad.arg_true()[0])
            out["bad"] = at(r, c, "wrong_value", f"无法读取的值 {s[r]!r}（应为 {var.type}）",
                            f"cannot read value {s[r]!r} as {var.type}")
            return out
    b = hs % np.uint64(buckets)
    out["ids"] = [hs[b == i] for i in range(buckets)]  # sorted already
    out["refs"] = {r: hash_buckets(df[r], buckets) for r in refs}
    return out


def bucket(result: dict, what: str, b: int) -> np.ndarray:
    """One bucket of a check result's id hashes (``what`` = "ids") or link hashes (a ref column)."""
    if what == "ids":
        return result["ids"][b]
    return result["refs"][what][b]


def duplicated(*arrays: np.ndarray) -> list[int]:
    """Hashes seen more than once across the arrays (each array is unique already)."""
    if not arrays:
        return []
    h = np.sort(np.concatenate(arrays))
    d = h[1:][h[1:] == h[:-1]]
    return [int(x) for x in np.unique(d)[:20]]


def dangling(refs: list[np.ndarray], ids: list[np.ndarray]) -> list[int]:
    r = np.unique(np.concatenate(refs)) if refs else np.array([], dtype=np.uint64)
    i = np.concatenate(ids) if ids else np.array([], dtype=np.uint64)
    miss = np.setdiff1d(r, i, assume_unique=False)
    return [int(x) for x in miss[:20]]


def locate(fi_path: str, column: str, hashes: list[int]) -> list[tuple[int, str, int]]:
    """Rows of a file whose ``column`` hashes to one of ``hashes``: (row, value, row group)."""
    df = pl.read_parquet(fi_path, columns=[column])
    s = df[column].cast(pl.String)
    h = s.hash(**SEEDS)
    hit = h.is_in(pl.Series(hashes, dtype=pl.UInt64).implode()) & s.is_not_null()
    groups = row_groups(Path(fi_path))
    info = FileInfo("", "", Path(fi_path), groups)
    return [(int(r), s[int(r)], info.row_group_of(int(r))) for r in hit.arg_true()[:20]]
