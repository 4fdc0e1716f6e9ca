"""城乡居民基本养老保险 — the resident basic pension of Jiaxing (嘉人社〔2022〕60号): participants and
roster import, contributions with the subsidy account, the monthly payroll, the back-dated top-up, the
yearly linked adjustment, bank payment files, statements and dashboards. See docs/resident_pension.md."""
