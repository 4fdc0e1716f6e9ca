"""Random damage of the kinds real texts carry, applied to the wild set: the parser never raises,
and damage that only changes how a 文号 is written never changes the 文号 found."""

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.corpus.parse import parse_bytes, parse_text
from gazette.corpus.text import decode

DOCS = sorted((Path(__file__).parent / "docs").glob("*.txt"))
TEXTS = [decode(p.read_bytes())[0] for p in DOCS]
_BRACKETS = [("〔", "〕"), ("[", "]"), ("(", ")"), ("（", "）"), ("【", "】"), ("［", "］")]
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


def _damage(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 8)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(9)
        if op == 0:  # a page number or running header glued into the text
            lines.insert(i, rng.choice([f"— {rng.randint(1, 99)} —", f"第 {rng.randint(1, 40)} 页", "嘉兴市人民政府公报　2022年第3期"]))
        elif op == 1 and len(lines[i]) > 3:  # a line break anywhere (inside a 文号, a date, a word)
            k = rng.randrange(1, len(lines[i]))
            lines[i : i + 1] = [lines[i][:k], lines[i][k:]]
        elif op == 2:  # spaced-out characters
            lines[i] = " ".join(lines[i])
        elif op == 3 and i + 1 < len(lines):  # flattened: two lines become one
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == 4:  # table residue
            lines[i] = "\t".join(lines[i].split("，")) + " | "
        elif op == 5:  # portal chrome
            lines.insert(i, rng.choice(["首页 > 政务公开 > 政策文件", "打印本页 关闭窗口", "字号：大 中 小", "浙ICP备05001234号"]))
        elif op == 6:  # full-width digits
            lines[i] = lines[i].translate(_FW)
        elif op == 7:
            del lines[i]
        else:  # a news lead-in
            lines.insert(0, "本网讯　近日，有关部门印发文件，记者了解到，以下为全文。")
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_damaged_wild_texts_never_raise(seed):
    rng = random.Random(seed)
    text = _damage(rng.choice(TEXTS), rng)
    encoding = rng.choice(["utf-8", "utf-8-sig", "gb18030", "utf-16"])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    assert isinstance(parse_bytes(data).to_dict(), dict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_writing_a_doc_number_differently_keeps_it(seed):
    rng = random.Random(seed)
    k = rng.randrange(len(TEXTS))
    original = parse_text(TEXTS[k]).documents
    if not original or not original[0].doc_number or "〔" not in TEXTS[k]:
        return
    want = original[0].doc_number
    prefix, rest = want.split("〔", 1)
    year, num = rest.split("〕", 1)
    o, c = rng.choice(_BRACKETS)
    variant = f"{prefix}{o}{' ' * rng.randint(0, 2)}{year}{' ' * rng.randint(0, 2)}{c}{num.removesuffix('号')} 号"
    if rng.random() < 0.5:
        variant = variant.translate(_FW)
    lines = TEXTS[k].splitlines()
    idx = next((i for i, ln in enumerate(lines) if want in ln.replace(" ", "").translate(str.maketrans("０１２３４５６７８９", "0123456789"))), None)
    if idx is None or lines[idx].strip().strip("（）()") != want:
        return  # the 文号 is written differently already or sits inside a sentence
    lines[idx] = lines[idx].replace(want, variant) if want in lines[idx] else variant
    docs = parse_text("\n".join(lines)).documents
    assert docs and docs[0].doc_number == want
