"""Child process for the crash tests: runs one batch run slowly and reports each committed chunk.

    python crash_child.py collection 2022-06 200     # monthly collection, width 200
    python crash_child.py interest 2022 200          # interest run

The parent SIGKILLs it part-way (tests/schemes/provident_fund/test_crash.py).
"""

import sys
import time

from jiaxing.schemes.provident_fund import service as S


def progress(totals):
    print(f"chunk {totals['units']}", flush=True)
    time.sleep(0.02)


def main() -> None:
    kind, period, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "collection":
        S.monthly_collection(period, width=width, on_progress=progress)
    else:
        S.interest_run(int(period), width=width, on_progress=progress)
    print("done", flush=True)


if __name__ == "__main__":
    main()
