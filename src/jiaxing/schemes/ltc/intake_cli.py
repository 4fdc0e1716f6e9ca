"""``gazette ltc …`` commands of the intake half."""

import typer


def register(app: typer.Typer) -> None:
    """Add this half's commands to the ``gazette ltc`` group."""
    del app
