from hypothesis import given, settings
from hypothesis import strategies as st

from gazette.search.tokenize import (
    GAP,
    bigram_tokens,
    doc_number_tokens,
    normalise,
    reference_token_streams,
    segments,
    token_streams,
)


def _canon(stream: str) -> list[str]:
    """Tokens with leading/trailing gaps dropped and runs of gaps collapsed (positions are relative)."""
    out: list[str] = []
    for tok in stream.split():
        if tok == GAP and (not out or out[-1] == GAP):
            continue
        out.append(tok)
    while out and out[-1] == GAP:
        out.pop()
    return out


def test_cjk_runs_become_overlapping_bigrams():
    assert bigram_tokens("长护险") == ["长护", "护险"]
    assert "车展" in bigram_tokens("新能源汽车车展")
    assert bigram_tokens("券") == ["券"]


def test_two_character_words_are_found_inside_longer_runs():
    stream = _canon(token_streams("嘉兴市长护险试点,新能源汽车车展。").bigrams)
    assert "长护" in stream and "车展" in stream


def test_punctuation_leaves_a_gap_so_phrases_do_not_cross_it():
    stream = _canon(token_streams("保险,护理").bigrams)
    assert stream == ["保险", GAP, "护理"]
    assert "险护" not in stream


def test_ascii_words_and_numbers_are_lowercased_and_kept_whole():
    assert _canon(token_streams("5G产业, ＡＢＣ１２３ Hello").bigrams) == [
        "5g",
        "产业",
        GAP,
        "abc123",
        GAP,
        "hello",
    ]


def test_whitespace_beside_cjk_is_layout_so_numbers_stay_next_to_their_units():
    assert _canon(token_streams("5000 万元,嘉政办发〔2022〕47 号").bigrams) == [
        "5000",
        "万元",
        GAP,
        "嘉政",
        "政办",
        "办发",
        GAP,
        "2022",
        GAP,
        "47",
        "号",
    ]


def test_whitespace_inside_a_cjk_run_is_a_pdf_artefact_and_is_ignored():
    assert normalise("推动公\n共服务") == "推动公共服务"
    assert "公共" in token_streams("推动公\n\n共服务").bigrams.split()


def test_unigram_stream_holds_every_cjk_character():
    assert token_streams("长护险 5G,券").unigrams.split() == ["长", "护", "险", "券"]


def test_doc_number_tokens_are_canonical_in_any_variant():
    text = "根据《办法》(嘉政办发[2022]47 号)和嘉政发（2022）21号,以及嘉公积金〔2022〕9\n号。"
    assert doc_number_tokens(text) == ["嘉政办发〔2022〕47号", "嘉政发〔2022〕21号", "嘉公积金〔2022〕9号"]


def test_segments_split_on_punctuation():
    assert segments("消费券,车展!长护") == ["消费券", "车展", "长护"]


_ALPHABET = st.sampled_from(list("长护险消费券车展嘉政办发〔〕[]()（）20479号aBｃ５_ \n\u3000,.。、《》𠀀é"))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(alphabet=_ALPHABET, max_size=200)))
def test_fast_streams_equal_the_reference_definition(text):
    fast, ref = token_streams(text), reference_token_streams(text)
    assert _canon(fast.bigrams) == _canon(ref.bigrams)
    assert fast.unigrams.split() == ref.unigrams.split()
