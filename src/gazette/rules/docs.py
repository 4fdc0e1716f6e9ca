"""Generate docs/variables.md from the pack's entity declarations.

    python -m gazette.rules.docs > docs/variables.md

A test fails when the file and the declarations disagree.
"""

from __future__ import annotations

from gazette.rules.engine import Engine, get_engine


def variables_markdown(engine: Engine) -> str:
    lines = [
        "# Variables of the situation JSON",
        "",
        "Generated from the pack's entity declarations (`src/jiaxing/policies/entities.py`) by",
        "`python -m gazette.rules.docs > docs/variables.md`; a test keeps it in sync.",
        "",
        "A situation lists entities by kind (the plural key), then by id, then facts:",
        "",
        "```json",
        '{"persons": {"p1": {"district": "南湖区", "birth_date": "1980-05-01"}},',
        ' "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": 250000, "new_energy": true, "date": "2022-10-08"}},',
        ' "enterprises": {"e1": {"software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}}}',
        "```",
        "",
        "* **money** — yuan as a number or a decimal string (`250000`, `\"19999999.50\"`); at most two decimal",
        "  places; integer fen inside the engine.",
        "* **decimal** — a number or decimal string kept exactly to the stated number of places (rates such as",
        "  `0.0435`, power in kW, energy in kWh, coordinates).",
        "* **period `year`** — the fact varies by year: `{\"2021\": …, \"2022\": …}`; rules read the year of the",
        "  calculation date and the years before it. In batch tables the columns are `name@2022` or `name_2022`.",
        "* **ref** — the id of another entity in the same situation (a purchase's `buyer` is a person).",
        "* A fact that is not given is *unknown*: a rule that needs it answers `unknown` and names it.",
        "* In batch tables, money may also be given in fen as integer columns named `…_fen` instead of `…_yuan`.",
        "",
    ]
    for e in engine.entities.values():
        lines += [f"## `{e.plural}` — {e.name}: {e.description_zh} ({e.description_en})", ""]
        rules = [r.id for r in engine.rules if r.entity == e.name]
        if rules:
            lines += ["Rules: " + ", ".join(f"`{r}`" for r in rules), ""]
        lines += ["| variable | entity | type | unit | period | meaning |", "|---|---|---|---|---|---|"]
        lines += [v.doc_row(e) for v in e.variables]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(variables_markdown(get_engine()), end="")
