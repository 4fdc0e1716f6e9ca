"""The county-level areas of Jiaxing (嘉兴市) as the gazette names them — defined once for the pack.

Five districts/counties/county-level cities plus the two functional zones that the voucher
notices allocate budgets to. Every scheme that scopes by district imports this tuple.
"""

DISTRICTS: tuple[str, ...] = (
    "南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市", "嘉兴经济技术开发区", "嘉兴港区",
)
