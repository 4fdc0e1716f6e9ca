"""``gazette ltc …`` — long-term care insurance (嘉政发〔2022〕21号) from the command line."""

import typer

from jiaxing.schemes.ltc import care_cli, intake_cli

app = typer.Typer(help="长期护理保险（嘉政发〔2022〕21号）。Long-term care insurance: enrolment, assessment, care, settlement.",
                  no_args_is_help=True)
intake_cli.register(app)
care_cli.register(app)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ltc")
