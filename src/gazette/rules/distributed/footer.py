"""Row groups of a Parquet file, read from its footer (Thrift compact protocol), without pyarrow.

Only what partition planning and error messages need: the number of rows of each row group.
"""

from __future__ import annotations

import struct
from pathlib import Path

from gazette.errors import InvalidInput


class _Reader:
    def __init__(self, buf: bytes):
        self.buf, self.pos = buf, 0

    def byte(self) -> int:
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = out = 0
        while True:
            b = self.byte()
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t: int):
        if t in (1, 2):  # booleans inside a struct carry their value in the type
            return t == 1
        if t == 3:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            self.pos += 8
            return None
        if t == 8:
            n = self.varint()
            self.pos += n
            return None  # strings are not needed here
        if t in (9, 10):
            h = self.byte()
            size, et = h >> 4, h & 0x0F
            if size == 15:
                size = self.varint()
            if et in (1, 2):
                return [self.byte() == 1 for _ in range(size)]
            return [self.value(et) for _ in range(size)]
        if t == 11:
            size = self.varint()
            if size:
                kv = self.byte()
                for _ in range(size):
                    self.value(kv >> 4)
                    self.value(kv & 0x0F)
            return None
        if t == 12:
            return self.struct()
        raise ValueError(f"thrift type {t}")

    def struct(self) -> dict[int, object]:
        out: dict[int, object] = {}
        fid = 0
        while True:
            h = self.byte()
            if h == 0:
                return out
            delta, t = h >> 4, h & 0x0F
            fid = fid + delta if delta else self.zigzag()
            out[fid] = self.value(t)


def row_groups(path: Path) -> list[int]:
    """Rows in each row group of a Parquet file; raises InvalidInput (naming the file) if unreadable."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            if size < 12:
                raise ValueError("too short")
            fh.seek(size - 8)
            tail = fh.read(8)
            if tail[4:] != b"PAR1":
                raise ValueError("no PAR1 magic at the end")
            n = struct.unpack("<I", tail[:4])[0]
            if n + 12 > size:
                raise ValueError("footer length out of range")
            fh.seek(size - 8 - n)
            meta = _Reader(fh.read(n)).struct()
        return [int(rg.get(3, 0)) for rg in meta.get(4) or []]
    except (OSError, ValueError, IndexError, struct.error) as exc:
        raise InvalidInput(f"无法读取 Parquet 文件 {path}：{exc}", f"unreadable Parquet file {path}: {exc}",
                           field=str(path), code="unreadable_partition") from None
