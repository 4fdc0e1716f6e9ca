"""``gazette ltc …`` commands of the care half."""

import typer


def register(app: typer.Typer) -> None:
    """Add this half's commands to the ``gazette ltc`` group."""
    del app
