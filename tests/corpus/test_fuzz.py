"""The parser never raises on arbitrary text: it returns a parse with warnings."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.corpus.parse import parse_text
from tests.conftest import GAZETTES

_REAL = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_text(encoding="utf-8")
_ALPHABET = st.sampled_from(list("嘉政办发〔〕[]()（）【】号第条章一二三四五六七八九十、，。；：:,.《》〈〉\n\n  \t0123456789年月日起至施行废止印发通知附件略责任单位任命免去") + ["\n", "—", "·"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=600))
def test_parser_never_raises_on_gazette_like_noise(text):
    result = parse_text(text)
    assert isinstance(result.to_dict(), dict)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_raises_on_arbitrary_unicode(text):
    parse_text(text).to_dict()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_parser_never_raises_on_mangled_issues(seed):
    rng = random.Random(seed)
    lines = _REAL.splitlines()
    for _ in range(rng.randint(1, 40)):
        op = rng.random()
        i = rng.randrange(len(lines))
        if op < 0.4:
            del lines[i]
        elif op < 0.7:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            cut = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:cut]
    result = parse_text("\n".join(lines[: rng.randint(1, len(lines))]))
    for doc in result.documents:
        assert doc.id
        for clause in doc.iter_clauses():
            assert clause.id.startswith(doc.id + "#")
