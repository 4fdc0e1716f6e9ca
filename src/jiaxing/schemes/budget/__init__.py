"""The city budget (嘉政发〔2022〕5号, 嘉兴市市本级预算管理暂行办法): budget data and compliance checks,
the preparation calendar and its deadlines, department adjustment requests with their routing and
timing bars, execution reporting and final accounts. See docs/budget.md."""

from jiaxing.schemes.budget import handlers, models  # noqa: F401  (tables and command handlers registered)
