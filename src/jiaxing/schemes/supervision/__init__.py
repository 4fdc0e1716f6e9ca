"""督查 Supervision workbench: the register of every task and target the gazette assigns (with the
officer's corrections beside the extraction), the responsible units' progress reports, and the
"551" major-project system of 嘉政办发〔2022〕9号 (libraries, monthly investment, quarterly lights,
start rates, the reporting calendar). See docs/supervision.md."""

from jiaxing.schemes.supervision import models  # noqa: E402,F401  (registers the tables, so clean_db empties them)
