"""Consumption vouchers (消费券, 嘉政办发〔2022〕46号 / 47号) and enterprise subsidies (46号 / 47号 /
10号): district budget pools that cannot be overspent, claims, redemption, cancellation, expiry,
refunds, applications, review, 免申即享 and payment — all money in the ledger book ``vouchers``.

See docs/vouchers.md. Importing this package registers its tables on ``gazette.store.base.Base``
(they are created by migration 0003).
"""

from jiaxing.schemes.vouchers import models  # noqa: F401  (registers the tables)
