"""Members of a leading group (领导小组): ``组长：… 副组长：… 成员：…`` lists kept as
personnel-like records (action ``member``), not as clauses.

The names are read from the source lines, where the spaces between a name and an office
(``王建华　市政府市长``) survive; normalisation removes spaces between Chinese characters.
"""

from __future__ import annotations

import re

from gazette.corpus.model import Document, Personnel

_ROLE = re.compile(r"^\s*(组\s*长|副\s*组\s*长|常务副组长|成\s*员)\s*[：:]\s*(.*)$")
_CONTINUATION = re.compile(r"^[\s\u3000]+\S")
_GROUP = re.compile(r"(?:成立|调整)(.+?(?:领导小组|工作小组|指挥部|委员会))")


def group_members(documents: list[Document], source: str | None = None) -> list[Personnel]:
    out: list[Personnel] = []
    for doc in documents:
        m = _GROUP.search(doc.title)
        if not m or doc.span is None or source is None:
            continue
        group = m.group(1)
        month = f"{doc.signed.year:04d}-{doc.signed.month:02d}" if doc.signed else None
        role = None
        for raw in source[doc.span[0] : doc.span[1]].splitlines():
            line = raw.replace("\u3000", " ").rstrip()
            r = _ROLE.match(line)
            if r:
                role = re.sub(r"\s+", "", r.group(1))
                entry = r.group(2)
            elif role and _CONTINUATION.match(raw) and line.strip():
                entry = line.strip()
            else:
                role = None
                continue
            parts = entry.split()
            if not parts:
                continue
            person, office = parts[0], "".join(parts[1:]) or None
            if not re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", person):
                continue
            out.append(Personnel("member", person, [f"{group}{role}"], month, office, line.strip()))
    return out
