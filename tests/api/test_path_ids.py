"""Every integer in a route's path is bounded to what a BIGINT row id can name (1 … 2^63−1), so a
larger number is refused (422) at the edge — never an overflow in the database driver (SQLite raises
OverflowError past int64; the CI's int64-edge run found an LTC route without the bound)."""

from __future__ import annotations

from gazette.api.app import create_app

BIGINT_MAX = 2**63 - 1


def test_every_integer_path_parameter_is_bounded():
    spec = create_app().openapi()
    checked, unbounded = 0, []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "path" or schema.get("type") != "integer":
                    continue
                checked += 1
                if schema.get("maximum", float("inf")) > BIGINT_MAX or "minimum" not in schema:
                    unbounded.append(f"{method.upper()} {path} {{{parameter['name']}}}")
    assert not unbounded, f"integer path parameters without the BIGINT bounds (use gazette.api.params.RowId): {unbounded}"
    assert checked >= 10  # the walk met the schemes' id routes
