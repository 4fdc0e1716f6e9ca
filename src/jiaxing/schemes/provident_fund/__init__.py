"""Flexible-worker housing provident fund (灵活就业人员住房公积金, 嘉公积金〔2022〕9号) on the ledger.

``domain`` holds the pure rules, ``service`` the commands and set-based batch runs, ``models`` the
tables (migration 0004), ``commands`` the CLI (``gazette fund …``) and ``api`` the routes under
``/api/v1/fund``. See docs/provident_fund.md.
"""
