"""Child process of the crash test: settles a month slowly, a few providers per chunk, reporting each chunk.

    python crash_child.py 2023-02 5

The parent SIGKILLs it part-way (tests/schemes/ltc/care/test_crash.py).
"""

import sys
import time

from jiaxing.schemes.ltc.care import settlement as ST


def main() -> None:
    month, width = sys.argv[1], int(sys.argv[2])
    ST.WIDTH = width
    n = {"chunks": 0}

    def chunk(lo):
        n["chunks"] += 1
        print(f"chunk {n['chunks']}", flush=True)
        time.sleep(0.05)

    ST.settle(month, on_chunk=chunk)
    print("done", flush=True)


if __name__ == "__main__":
    main()
