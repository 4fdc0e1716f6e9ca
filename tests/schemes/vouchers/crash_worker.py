"""A worker process for the crash tests (run as a script; the test SIGKILLs it mid-way).

    python crash_worker.py claims <db-url> <n>      claim n vouchers, keys claim-0 … claim-(n-1)
    python crash_worker.py claims-own <db-url> <n>  the same, each command its own transaction
    python crash_worker.py batches <db-url> <n>     the same claims, 10 per transaction (claim_many)
    python crash_worker.py prepare <db-url> <n>     n approved enterprise applications
    python crash_worker.py payrun <db-url>          the payment run for period 2022-10-08

It prints one line per unit so the parent knows when to kill it.
"""

from __future__ import annotations

import functools
import sys

import jiaxing.schemes.vouchers  # noqa: F401
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from gazette.validate import example_enterprise_id, example_person_id
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers import service

DISTRICTS = ("南湖区", "秀洲区")
SHOW = "嘉政办发〔2022〕47号#二"


def claims(uow, n: int, *, own: bool = False) -> None:
    """``own``: each command its own transaction, as the API runs them (autocommit, one statement)."""
    for i in range(n):
        prog = "nev" if i % 3 else "appliances"
        try:
            with uow() as s:
                r = service.claim(None if own else s, programme=prog, district=DISTRICTS[i % 2],
                                  person_id=example_person_id(i % 40 + 1), key=f"claim-{i}")
            if i % 4 == 0 and not r["replayed"]:
                with uow() as s:
                    service.cancel(None if own else s, voucher_id=r["voucher_id"], key=f"cancel-{i}")
        except GazetteError as exc:
            assert exc.code in ("pool_exhausted", "already_claimed", "voucher_not_cancellable"), exc
        print(f"unit {i}", flush=True)


def batches(uow, n: int) -> None:
    from jiaxing.schemes.vouchers.batch import claim_many

    reqs = [{"programme": "nev" if i % 3 else "appliances", "district": DISTRICTS[i % 2], "person_id": example_person_id(i % 40 + 1),
             "key": f"claim-{i}"} for i in range(n)]
    for start in range(0, n, 10):
        with uow() as s:
            claim_many(s, reqs[start:start + 10])
        print(f"unit {start}", flush=True)


def prepare(uow, n: int) -> None:
    for i in range(n):
        with uow() as s:
            a = ent.submit(s, enterprise_id=example_enterprise_id(i + 1), clause=SHOW, key=f"apply-{i}",
                           facts={"nev_sales_company": True, "nev_show_filed": True,
                                  "nev_show_expense_yuan": str(10000 + 100 * i)})
        with uow() as s:
            ent.start_review(s, application_id=a["application_id"])
        with uow() as s:
            ent.approve(s, application_id=a["application_id"], key=f"approve-{i}")


def payrun(uow) -> None:
    run = ent.payment_run(period="2022-10-08", uow=uow, chunk_size=5,
                          on_unit=lambda aid: print(f"unit {aid}", flush=True))
    print(f"done {run.status}", flush=True)


def main(argv: list[str]) -> None:
    mode, url = argv[0], argv[1]
    uow = functools.partial(unit_of_work, url)
    if mode == "claims":
        claims(uow, int(argv[2]))
    elif mode == "claims-own":  # the service's own engine: GAZETTE_DATABASE_URL, the same database
        claims(uow, int(argv[2]), own=True)
    elif mode == "batches":
        batches(uow, int(argv[2]))
    elif mode == "prepare":
        prepare(uow, int(argv[2]))
    elif mode == "payrun":
        payrun(uow)
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
