"""Child process of the crash tests: runs the payroll or the top-up slowly, reporting each chunk.

    python crash_child.py payroll 2022-09 100
    python crash_child.py topup - 100

The parent SIGKILLs it part-way (tests/schemes/resident_pension/test_crash.py).
"""

import sys
import time

from jiaxing.schemes.resident_pension import payroll as payroll_runs


def progress(totals):
    print(f"chunk {totals['units']}", flush=True)
    time.sleep(0.02)


def main() -> None:
    kind, period, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind == "payroll":
        payroll_runs.payroll(period, width=width, on_progress=progress)
    else:
        payroll_runs.topup(width=width, on_progress=progress)
    print("done", flush=True)


if __name__ == "__main__":
    main()
