"""A province-scale batch run: validate every partition, evaluate the ones not done, merge the summary.

Exactly once: a partition's result is written atomically (temporary file, then rename) and only then
its manifest entry (``OUT/_manifest/<key>.json``: input checksum, run fingerprint, output size and
checksum, its summary). A rerun skips partitions whose entry matches; a partition whose input changed
is redone; results of partitions no longer planned are removed at the end. A worker killed mid-task
(SIGKILL) loses only that task: the Dask scheduler reruns it elsewhere, and the rewrite is atomic.

Links (a purchase's ``buyer``) are checked across the whole dataset by a hash shuffle (no partitioning
by the link key is assumed, so no link can be silently dropped); facts a rule reads through a link
(``buyer.district``) are joined from the target entity broadcast to every worker (the smaller side:
only its id and the linked columns).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from gazette.errors import GazetteError, InvalidInput, Misconfigured
from gazette.rules.distributed import dataset as ds
from gazette.rules.distributed import task as tk
from gazette.rules.distributed.cluster import connect

STATUSES = ("eligible", "ineligible", "unknown")


def _engine(pack: str | None = None):
    from gazette.rules.engine import get_engine

    return get_engine(pack)


def pack_fingerprint(pack: str | None = None) -> str:
    """The policy pack's rules, parameters and entities, hashed (the same on every worker)."""
    engine = _engine(pack)
    h = hashlib.sha256(tk.TASK_VERSION.encode())
    root = engine.policies_dir
    for f in sorted(list(root.glob("*.py")) + list(root.glob("*/rules.py")) + list(root.glob("*/parameters.yaml"))):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


# task wrappers: module-level functions, so Dask ships them by reference (workers import gazette)


def _t_check(path: str, entity: str, buckets: int, pack: str | None) -> dict:
    return ds.check_file(_engine(pack), path, entity, buckets)


def _t_meta(res: dict) -> dict:
    return {k: v for k, v in res.items() if k not in ("ids", "refs")} | {
        "ref_counts": {r: int(sum(len(a) for a in v)) for r, v in (res.get("refs") or {}).items()}}


def _t_run(part: ds.Partition, checksum: str, fingerprint: str, out: str, on: dt.date, overrides: dict,
           pack: str | None, frames: dict | None, delay: float) -> dict:
    if delay:
        time.sleep(delay)
    try:
        return tk.run_partition(_engine(pack), part, checksum, fingerprint, out, on, overrides or None, frames)
    except GazetteError as exc:  # conversion errors the checks missed: reported as data (pickles cleanly)
        return {"key": part.key, "bad": ds.BadPartition(part.path, exc.code, exc.message_zh, exc.message_en,
                                                          column=exc.field)}


def _summary(entries: list[dict], rules_by_entity: dict[str, list[str]], overrides_raw: dict) -> dict[str, Any]:
    rows: dict[str, int] = {}
    by_rule: dict[str, dict[str, dict[str, int]]] = {}
    by_district: dict[str, dict[str, dict[str, dict[str, int]]]] = {}
    wi: dict[str, dict[str, Any]] = {}
    for ent, rids in rules_by_entity.items():
        rows.setdefault(ent, 0)
        for r in rids:
            by_rule[r] = {s: {"count": 0, "amount_fen": 0} for s in STATUSES}
            if overrides_raw:
                wi[r] = {"gainers": 0, "losers": 0, "cost_fen": 0, "baseline_fen": 0, "what_if_fen": 0, "by_district": {}}
    for e in entries:
        rows[e["entity"]] = rows.get(e["entity"], 0) + e["rows"]
        for g in e["summary"]["groups"]:
            cell = by_rule.setdefault(g["rule"], {s: {"count": 0, "amount_fen": 0} for s in STATUSES})[g["status"]]
            cell["count"] += g["count"]
            cell["amount_fen"] += g["amount_fen"] or 0
            d = g["district"] if g["district"] is not None else "(none)"
            dc = by_district.setdefault(d, {}).setdefault(g["rule"], {}).setdefault(g["status"], {"count": 0, "amount_fen": 0})
            dc["count"] += g["count"]
            dc["amount_fen"] += g["amount_fen"] or 0
        for w in e["summary"].get("what_if") or []:
            cell = wi.setdefault(w["rule"], {"gainers": 0, "losers": 0, "cost_fen": 0, "baseline_fen": 0, "what_if_fen": 0,
                                             "by_district": {}})
            d = w["district"] if w["district"] is not None else "(none)"
            dd = cell["by_district"].setdefault(d, {"gainers": 0, "losers": 0, "cost_fen": 0, "baseline_fen": 0,
                                                    "what_if_fen": 0})
            for k in ("gainers", "losers", "cost_fen", "baseline_fen", "what_if_fen"):
                cell[k] += w[k] or 0
                dd[k] += w[k] or 0
    out: dict[str, Any] = {
        "rows": sum(rows.values()),
        "entities": dict(sorted(rows.items())),
        "by_rule": {r: by_rule[r] for r in sorted(by_rule)},
        "by_district": {d: {r: by_district[d][r] for r in sorted(by_district[d])} for d in sorted(by_district)},
    }
    if overrides_raw:
        for cell in wi.values():
            cell["by_district"] = dict(sorted(cell["by_district"].items()))
        out["what_if"] = {"overrides": overrides_raw, "cost_fen": sum(c["cost_fen"] for c in wi.values()),
                          "by_rule": {r: wi[r] for r in sorted(wi)}}
    return out


class Job:
    """One run over a dataset directory (see the module docstring). ``run()`` returns the summary."""

    def __init__(self, dataset: Path, on: dt.date, out: Path, overrides: dict[str, Any] | None = None,
                 cluster: str | None = None, skip_bad: bool = False, rows_per_task: int = 1_000_000,
                 pack: str | None = None, task_delay: float = 0.0,
                 progress: Callable[[dict], None] | None = None, log: Callable[[str], None] | None = None):
        self.dataset, self.on, self.out = Path(dataset), on, Path(out)
        self.overrides_raw = overrides or {}
        self.cluster_address, self.skip_bad, self.rows_per_task = cluster, skip_bad, max(int(rows_per_task), 1)
        self.pack, self.task_delay = pack, task_delay
        self.progress = progress or (lambda _: None)
        self.log = log or (lambda _: None)
        self.stats: dict[str, Any] = {}

    # -------------------------------------------------------------- validation

    def _validate(self, ex, engine, files) -> tuple[dict[str, dict], list[ds.BadPartition]]:
        bad = ds.read_footers(files)
        bad += ds.check_schemas(engine, files, {b.file for b in bad})
        bad_files = {b.file for b in bad}
        buckets = max(2, 2 * ex.workers)
        checks = {str(fi.path): ex.submit(_t_check, str(fi.path), ent, buckets, self.pack, key=f"check-{fi.path}")
                  for ent, infos in files.items() for fi in infos if str(fi.path) not in bad_files}
        metas = dict(zip(checks, ex.gather([ex.submit(_t_meta, f) for f in checks.values()]), strict=True))
        for m in metas.values():
            if m["bad"] is not None:
                bad.append(m["bad"])
        bad_files = {b.file for b in bad}
        good = {ent: [str(fi.path) for fi in infos if str(fi.path) not in bad_files] for ent, infos in files.items()}

        def buckets_of(paths, what, b):
            return [ex.submit(ds.bucket, checks[p], what, b) for p in paths]

        # ids unique across the dataset
        for paths in good.values():
            if len(paths) < 2:
                continue
            dups = set()
            for hs in ex.gather([ex.submit(ds.duplicated, *buckets_of(paths, "ids", b)) for b in range(buckets)]):
                dups.update(hs)
            if dups:
                seen: dict[str, str] = {}
                for p, hits in zip(paths, ex.gather([ex.submit(ds.locate, p, metas[p]["idcol"], sorted(dups))
                                                              for p in paths]), strict=True):
                    for row, value, rg in hits:
                        if value in seen and p not in {b.file for b in bad}:
                            bad.append(ds.BadPartition(p, "duplicate_id", f"id 重复：{value}（亦见于 {seen[value]}）",
                                                       f"duplicate id {value} (also in {seen[value]})", column="_id",
                                                       row_group=rg, row=row))
                        seen.setdefault(value, p)
        bad_files = {b.file for b in bad}
        good = {ent: [p for p in paths if p not in bad_files] for ent, paths in good.items()}
        # every link points at an id of its target entity
        for ent, paths in good.items():
            for v in engine.entities[ent].variables:
                if v.type != "ref":
                    continue
                src = [p for p in paths if metas[p]["ref_counts"].get(v.name)]
                if not src:
                    continue
                targets = good.get(v.target, [])
                if v.target not in files:
                    for p in src:
                        bad.append(ds.BadPartition(p, "dangling_link",
                                                   f"{v.name} 引用 {engine.entities[v.target].plural}，但数据集中没有该实体",
                                                   f"{v.name} links to {engine.entities[v.target].plural}, which the dataset "
                                                   "does not have (links would be dropped)", column=v.name))
                    continue
                miss: set[int] = set()
                futs = [ex.submit(ds.dangling, buckets_of(src, v.name, b), buckets_of(targets, "ids", b))
                        for b in range(buckets)]
                for hs in ex.gather(futs):
                    miss.update(hs)
                if miss:
                    for p, hits in zip(src, ex.gather([ex.submit(ds.locate, p, v.name, sorted(miss)) for p in src]),
                                       strict=True):
                        if hits:
                            row, value, rg = hits[0]
                            bad.append(ds.BadPartition(p, "dangling_link",
                                                       f"{v.name} 引用了不存在的 {v.target}：{value}",
                                                       f"{v.name} refers to an unknown {v.target}: {value}",
                                                       column=v.name, row_group=rg, row=row))
        return metas, bad

    # -------------------------------------------------------------- the run

    def run(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        engine = _engine(self.pack)
        overrides = engine.parse_overrides(self.overrides_raw)
        files = ds.discover(self.dataset, engine)
        fingerprint = hashlib.sha256(json.dumps(
            [pack_fingerprint(self.pack), self.on.isoformat(), sorted((k, repr(v)) for k, v in overrides.items())],
            ensure_ascii=False).encode()).hexdigest()
        ex = connect(self.cluster_address)
        self.stats["startup_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()  # the run itself, without starting a local cluster
        try:
            self.stats["cluster"] = ex.name
            self.stats["workers"] = ex.workers
            self.stats["dashboard"] = ex.dashboard
            if self.cluster_address:
                mine = pack_fingerprint(self.pack)
                theirs = ex.run_on_workers(functools.partial(pack_fingerprint, self.pack))
                odd = [w for w, fp in theirs.items() if fp != mine]
                if odd:
                    raise Misconfigured(f"工作进程的政策包与本机不同：{odd[0]}",
                                        f"worker {odd[0]} runs a different policy pack or gazette version",
                                        field="--cluster", code="worker_pack_mismatch")
            cpu0 = ex.run_on_workers(time.process_time)
            summary = self._run(ex, engine, files, overrides, fingerprint, t0)
            cpu1 = ex.run_on_workers(time.process_time)  # a worker restarted mid-run counts from its restart
            self.stats["worker_cpu_seconds"] = sum(max(v - cpu0.get(w, 0.0), 0.0) if w in cpu0 else v
                                                   for w, v in cpu1.items())
            return summary
        finally:
            ex.close()

    def _run(self, ex, engine, files, overrides, fingerprint, t0) -> dict[str, Any]:
        metas, bad = self._validate(ex, engine, files)
        self.stats["validate_seconds"] = time.perf_counter() - t0
        if bad and not self.skip_bad:
            first = bad[0].error()
            if len(bad) > 1:
                first.message_en += f" — and {len(bad) - 1} more bad partition(s)"
                first.message_zh += f"；另有 {len(bad) - 1} 个问题分区"
            first.details = {"bad": [b.to_json() for b in bad]}
            raise first
        bad_files = {b.file for b in bad}
        parts = ds.plan(files, self.rows_per_task, bad_files)
        todo, entries = [], []
        for p in parts:
            e = tk.read_entry(self.out, p.key)
            if tk.entry_done(e, self.out, p.key, metas[p.path]["checksum"], fingerprint):
                entries.append(e)
            else:
                todo.append(p)
        frames = self._broadcast(ex, engine, files, overrides, bad_files)
        rules = {ent: [c.rule.id for c in engine.compile(self.on, overrides)[ent]] for ent in files}
        # dearest first (rows × rules): the last tasks to finish are short ones, so no worker idles at the end
        todo.sort(key=lambda p: -p.rows * max(len(rules[p.entity]), 1))
        total_rows = sum(p.rows for p in todo)
        self.progress({"total_parts": len(todo), "total_rows": total_rows, "done_parts": 0, "done_rows": 0})
        t1 = time.perf_counter()  # before submitting: in-process, a task runs when submitted
        futs = [ex.submit(_t_run, p, metas[p.path]["checksum"], fingerprint, str(self.out), self.on, overrides,
                          self.pack, frames, self.task_delay, key=f"run-{p.key}-{fingerprint[:8]}") for p in todo]
        done_rows = done_parts = 0
        for f in ex.as_completed(futs):
            e = f.result()
            if "bad" in e:
                if not self.skip_bad:
                    raise e["bad"].error()
                bad.append(e["bad"])
                continue
            entries.append(e)
            done_rows += e["rows"]
            done_parts += 1
            self.progress({"total_parts": len(todo), "total_rows": total_rows, "done_parts": done_parts,
                           "done_rows": done_rows})
        self.stats["evaluate_seconds"] = time.perf_counter() - t1
        self._tidy({p.key for p in parts if p.path not in {b.file for b in bad}})
        summary = _summary(entries, rules, self.overrides_raw)
        summary["partitions"] = {"total": len(parts), "computed": len(todo), "skipped": len(parts) - len(todo),
                                 "bad": [b.to_json() for b in bad]}
        self.out.mkdir(parents=True, exist_ok=True)
        tk.atomic_write_bytes(self.out / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2).encode())
        if bad:
            tk.atomic_write_bytes(self.out / "bad_partitions.json",
                                  json.dumps([b.to_json() for b in bad], ensure_ascii=False, indent=2).encode())
        self.stats["seconds"] = time.perf_counter() - t0
        self.stats["rows_evaluated"] = total_rows
        return summary

    def _broadcast(self, ex, engine, files, overrides, bad_files) -> dict | None:
        """Linked facts a rule reads (``buyer.district``): the target's id and those columns, to every worker."""
        from gazette.rules.batch import normalise

        need: dict[str, set[str]] = {}
        for ent in files:
            for col in engine.required_columns(ent, self.on, overrides):
                if "." in col:
                    link, rest = col.split(".", 1)
                    need.setdefault(engine.entities[ent].variable(link).target, set()).add(rest)
        frames = {}
        for target, cols in need.items():
            paths = [str(fi.path) for fi in files.get(target, []) if str(fi.path) not in bad_files]
            if not paths:
                continue
            schema = dict(pl.read_parquet_schema(paths[0]))
            idcol = "_id" if "_id" in schema else "id"
            take = [idcol] + [c for c in schema if c in cols or c.removesuffix("_fen") + "_yuan" in cols]
            df = pl.concat([pl.read_parquet(p, columns=take) for p in paths])
            frames[target] = normalise(engine, engine.entities[target], df)
        return ex.broadcast(frames) if frames else None

    def _tidy(self, keep: set[str]) -> None:
        """Remove results and manifest entries of partitions no longer in the plan."""
        man = self.out / "_manifest"
        if not man.is_dir():
            return
        for f in man.glob("*.json"):
            key = f.name.removesuffix(".json").replace("__", "/", 1)
            if key not in keep:
                tk.result_path(self.out, key).unlink(missing_ok=True)
                f.unlink(missing_ok=True)


def run(dataset: Path, on: dt.date, out: Path, **kw) -> dict[str, Any]:
    return Job(dataset, on, out, **kw).run()


def read_results(out: Path) -> pl.DataFrame:
    """Every result partition of a finished run, sorted (entity, rule, id): for comparisons."""
    files = sorted((Path(out) / "results").glob("*/*.parquet"))
    if not files:
        raise InvalidInput(f"{out} 中没有结果", f"no results in {out}", field="OUT")
    return pl.concat([pl.read_parquet(f) for f in files]).sort("entity", "rule", "id")
