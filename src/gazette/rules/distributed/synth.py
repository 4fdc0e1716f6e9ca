"""A synthetic province: persons, vehicle purchases and enterprises (with revenue histories) as
partitioned Parquet — for tests, benchmarks and demos (``gazette synth``).

Layout: ``DIR/<entity plural>/part-00000.parquet`` … with the columns of a situation (``_id``; money as
``<name>_fen`` integers; yearly facts as ``name@2022``). Every purchase's buyer is a generated person.
The same size and seed give the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

DISTRICTS = ("南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市", "嘉兴经济技术开发区", "嘉兴港区")


def _ids(prefix: str, start: int, n: int, width: int) -> pl.Series:
    return pl.select((pl.lit(prefix) + pl.int_range(start, start + n).cast(pl.String).str.zfill(width)).alias("_id"))["_id"]


def _pick(rng, values, n, null_share: float = 0.0) -> pl.Series:
    s = pl.Series(np.array(values)[rng.integers(0, len(values), n)])
    return s.scatter(np.flatnonzero(rng.random(n) < null_share), None) if null_share else s


def _bools(rng, n, p: float, null_share: float = 0.02) -> pl.Series:
    s = pl.Series(rng.random(n) < p)
    return s.scatter(np.flatnonzero(rng.random(n) < null_share), None) if null_share else s


def persons(rng, start: int, n: int) -> pl.DataFrame:
    born = np.datetime64("1940-01-01") + rng.integers(0, 365 * 65, n).astype("timedelta64[D]")
    return pl.DataFrame({
        "_id": _ids("P", start, n, 9),
        "district": _pick(rng, DISTRICTS, n),
        "birth_date": born,
        "sex": _pick(rng, ("male", "female"), n),
        "flexible_employment": _bools(rng, n, 0.2),
        "employee_pension_as_flexible": _bools(rng, n, 0.5),
        "stable_residence_income": _bools(rng, n, 0.8),
        "full_capacity": _bools(rng, n, 0.97),
        "resident_pension_recipient": _bools(rng, n, 0.2),
        "medical_insurance": _pick(rng, ("employee", "resident", "none"), n, 0.02),
        "ltc_severe_disability": _bools(rng, n, 0.02),
        "ltc_care_type": _pick(rng, ("elderly_institution", "medical_institution", "home"), n),
        "ltc_monthly_care_cost_fen": rng.integers(0, 1_000_000, n),
        "software_employed": _bools(rng, n, 0.02),
        "software_training_passed": _bools(rng, n, 0.5),
        "training_fee_fen": rng.integers(0, 2_000_000, n),
    })


def vehicle_purchases(rng, start: int, n: int, n_persons: int) -> pl.DataFrame:
    price = rng.integers(5_000_000, 60_000_000, n)
    edges = np.array([19_999_999, 20_000_000, 20_000_001, 29_999_999, 30_000_000, 30_000_001, 299_999])
    pick = rng.random(n) < 0.05
    price[pick] = rng.choice(edges, pick.sum())
    cols = {"_id": _ids("V", start, n, 10)}
    if n_persons:  # no persons in the dataset: no buyer column (a buyer would dangle)
        buyer = pl.Series(rng.integers(0, n_persons, n))
        cols["buyer"] = pl.select((pl.lit("P") + buyer.cast(pl.String).str.zfill(9)).alias("b"))["b"]
    return pl.DataFrame({
        **cols,
        "district": _pick(rng, DISTRICTS, n),
        "price_fen": price.astype(np.int64),
        "new_energy": _bools(rng, n, 0.8),
        "date": np.datetime64("2022-09-01") + rng.integers(0, 150, n).astype("timedelta64[D]"),
    })


def enterprises(rng, start: int, n: int) -> pl.DataFrame:
    r21 = rng.integers(100_000_00, 8_000_000_000, n)
    r22 = np.maximum((r21 * rng.normal(1.12, 0.15, n)).astype(np.int64), 0)
    trap = rng.random(n) < 0.02  # just below a milestone
    r22[trap] = rng.choice(np.array([1_999_999_950, 2_999_999_950, 4_999_999_950]), trap.sum())
    b = lambda p: _bools(rng, n, p)  # noqa: E731
    return pl.DataFrame({
        "_id": _ids("E", start, n, 8),
        "district": _pick(rng, DISTRICTS, n),
        "software_enterprise": b(0.6),
        "software_revenue_fen@2021": r21,
        "software_revenue_fen@2022": r22,
        "main_revenue_fen@2020": (r21 * 0.9).astype(np.int64),
        "main_revenue_fen@2021": r21 * 10,
        "main_revenue_fen@2022": r22 * 10,
        "monthly_scale_reached@2022": b(0.3),
        "nev_sales_company": b(0.2),
        "nev_sales_company_new": b(0.05),
        "nev_fixed_investment_fen": rng.integers(0, 10_000_000_000, n),
        "nev_show_filed": b(0.1),
        "nev_show_expense_fen": rng.integers(0, 20_000_000, n),
        "nev_park_operator": b(0.01),
        "nev_park_new_companies@2022": rng.integers(0, 4, n),
        "nev_spinoff": b(0.01),
        "nev_spinoff_first_award_year": rng.integers(2019, 2023, n),
        "nev_sales_units@2022": rng.integers(0, 3000, n),
        "nev_sales_rank@2022": rng.integers(1, 40, n),
        "used_car_dealer_company": b(0.05),
        "appliance_sales_company": b(0.1),
        "appliance_spinoff": b(0.01),
        "appliance_promo_filed": b(0.1),
        "appliance_promo_days": rng.integers(1, 10, n),
        "appliance_promo_brands": rng.integers(1, 10, n),
        "appliance_promo_categories": rng.integers(1, 30, n),
        "appliance_promo_expense_fen": rng.integers(0, 20_000_000, n),
        "first_listed_key_software": b(0.001),
        "outsourcing_external_executed_fen": rng.integers(0, 5_000_000_000, n),
        "first_version_level": _pick(rng, ("none", "provincial", "national"), n),
        "key_tech_project": b(0.01),
        "key_tech_assessed_fen": rng.integers(0, 200_000_000, n),
        "rd_key_project": b(0.01),
        "rd_superior_funding_fen": rng.integers(0, 500_000_000, n),
        "major_project": b(0.001),
        "major_project_standard_fen": rng.integers(0, 5_000_000_000, n),
        "software_stage": _pick(rng, ("startup", "growth", "mature"), n),
        "tech_sme": b(0.3),
    })


def synth(out: Path, persons_n: int, purchases_n: int, enterprises_n: int, seed: int = 0,
          rows_per_file: int = 1_000_000, row_group_rows: int = 131_072) -> dict:
    """Write the province; returns {plural: {"rows", "files"}}."""
    out = Path(out)
    plan = [("persons", persons_n), ("vehicle_purchases", purchases_n), ("enterprises", enterprises_n)]
    report = {}
    for k, (plural, n) in enumerate(plan):
        if n <= 0:
            continue
        folder = out / plural
        folder.mkdir(parents=True, exist_ok=True)
        files = 0
        for i, start in enumerate(range(0, n, rows_per_file)):
            m = min(rows_per_file, n - start)
            rng = np.random.default_rng([seed, k, i])
            if plural == "persons":
                df = persons(rng, start, m)
            elif plural == "vehicle_purchases":
                df = vehicle_purchases(rng, start, m, persons_n)
            else:
                df = enterprises(rng, start, m)
            path = folder / f"part-{i:05d}.parquet"
            tmp = path.with_name(path.name + ".tmp")
            df.write_parquet(tmp, row_group_size=row_group_rows)
            tmp.replace(path)
            files += 1
        report[plural] = {"rows": n, "files": files}
    (out / "_synth.json").write_text(json.dumps({"seed": seed, "entities": report}, ensure_ascii=False, indent=2),
                                     encoding="utf-8")
    return report


# ------------------------------------------------------------------ every entity of a pack, at random (tests)


def random_entity(ent, rng, n: int, prefix: str, targets: dict[str, list[str]], null_share: float = 0.15) -> pl.DataFrame:
    """Random rows of any declared entity: every variable (yearly ones for 2020–2023), a share of nulls,
    money as ``<name>_fen`` integers, decimals as text (read exactly, as a platform's CSV-born Parquet)."""
    import datetime as dt

    cols: dict[str, pl.Series] = {"_id": _ids(prefix, 0, n, 6)}

    def nulls(s: pl.Series) -> pl.Series:
        return s.scatter(np.flatnonzero(rng.random(n) < null_share), None)

    for v in ent.variables:
        years = ["2020", "2021", "2022", "2023"] if v.period == "year" else [None]
        for y in years:
            name = v.name
            if v.type == "money":
                name = v.name.removesuffix("_yuan") + "_fen"
            name = f"{name}@{y}" if y else name
            t = v.type
            if t == "money":
                scale = rng.choice(np.array([10_000, 1_000_000, 100_000_000, 10_000_000_000]), n)
                s = pl.Series((rng.random(n) * scale).astype(np.int64))
            elif t == "decimal":
                whole = rng.integers(0, 2_000, n) if v.name not in ("lat", "lon") else \
                    (rng.integers(30, 31, n) if v.name == "lat" else rng.integers(120, 122, n))
                frac = rng.integers(0, 10 ** v.scale, n)
                s = pl.Series([f"{w}.{f:0{v.scale}d}" if v.scale else str(w) for w, f in zip(whole, frac, strict=True)])
            elif t == "int":
                s = pl.Series(rng.integers(0, 8, n) if v.name not in ("nev_spinoff_first_award_year",)
                              else rng.integers(2019, 2024, n))
            elif t == "bool":
                s = pl.Series(rng.random(n) < 0.6)
            elif t == "str":
                s = pl.Series(np.array(v.choices or ("a", "b"))[rng.integers(0, len(v.choices or "ab"), n)])
            elif t == "date":
                s = pl.Series(np.datetime64("2022-01-01") + rng.integers(0, 540, n).astype("timedelta64[D]"))
            elif t == "datetime":
                base = dt.datetime(2022, 9, 8)
                s = pl.Series([base + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 9, n)])
            elif t == "ref":
                pool = targets.get(v.target) or []
                if not pool:
                    continue
                s = pl.Series(np.array(pool)[rng.integers(0, len(pool), n)])
            else:
                continue
            cols[name] = nulls(s)
    return pl.DataFrame(cols)


def random_dataset(out: Path, engine, seed: int, rows: int, files: int) -> dict[str, pl.DataFrame]:
    """Every entity of ``engine``'s pack, ``rows`` rows each in ``files`` files; returns the frames written."""
    out = Path(out)
    rng = np.random.default_rng(seed)
    order = sorted(engine.entities.values(), key=lambda e: any(v.type == "ref" for v in e.variables))
    frames: dict[str, pl.DataFrame] = {}
    ids: dict[str, list[str]] = {}
    for k, ent in enumerate(order):
        df = random_entity(ent, rng, rows, f"{ent.name[:2].upper()}{k:02d}-", ids)
        frames[ent.name] = df
        ids[ent.name] = df["_id"].to_list()
        folder = out / ent.plural
        folder.mkdir(parents=True, exist_ok=True)
        per = -(-rows // files)
        for i in range(files):
            part = df.slice(i * per, per)
            if part.height:
                part.write_parquet(folder / f"part-{i:05d}.parquet", row_group_size=max(per // 2, 1))
    return frames
