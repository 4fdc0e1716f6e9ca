from hypothesis import given
from hypothesis import strategies as st

from gazette.corpus.docnumber import canonical_doc_number, canonical_id, find_doc_numbers, parse_doc_number

VARIANTS = [
    "嘉政办发〔2022〕47号",
    "嘉政办发[2022]47号",
    "嘉政办发(2022)47号",
    "嘉政办发（2022）47号",
    "嘉政办发【2022】47号",
    "嘉政办发［２０２２］４７号",
    "嘉政办发 〔2022〕 47 号",
    "嘉政办发〔2022〕\n47号",
    "嘉政办发\n〔2022〕47\n号",
    "（嘉政办发[2022]47 号）",
]


def test_every_variant_is_canonicalised():
    for variant in VARIANTS:
        assert canonical_doc_number(variant) == "嘉政办发〔2022〕47号", variant


def test_running_text_is_not_a_doc_number_but_contains_one():
    text = "鉴于嘉政办发〔2021〕24 号公布的第二十一批单位已完成整改"
    assert parse_doc_number(text) is None
    assert [str(m.doc_number) for m in find_doc_numbers(text)] == ["嘉政办发〔2021〕24号"]


def test_several_in_one_sentence_keep_their_issuers():
    text = "根据《意见》（国发〔2021〕5号）和《通知》(浙政办发[2022]6 号)、人社部发[2018]21 号"
    assert [str(m.doc_number) for m in find_doc_numbers(text)] == ["国发〔2021〕5号", "浙政办发〔2022〕6号", "人社部发〔2018〕21号"]


def test_clause_ids_are_canonicalised_on_the_document_part():
    assert canonical_id("嘉政办发[2022]47号#一") == "嘉政办发〔2022〕47号#一"
    assert canonical_id("嘉公积金(2022)9 号#第十三条") == "嘉公积金〔2022〕9号#第十三条"
    assert canonical_id("2022-10:某解读#一") == "2022-10:某解读#一"


@given(
    prefix=st.sampled_from(["嘉政发", "嘉政办发", "嘉公积金", "浙政办发", "国发", "嘉人社"]),
    year=st.integers(1990, 2099),
    number=st.integers(1, 999),
    brackets=st.sampled_from(["〔〕", "[]", "()", "（）", "【】"]),
    space=st.sampled_from(["", " ", "\n", "  "]),
)
def test_canonical_form_round_trips(prefix, year, number, brackets, space):
    variant = f"{prefix}{space}{brackets[0]}{year}{brackets[1]}{space}{number}{space}号"
    canon = canonical_doc_number(variant)
    assert canon == f"{prefix}〔{year}〕{number}号"
    assert canonical_doc_number(canon) == canon


def test_an_issuer_code_does_not_run_across_a_line_break():
    text = "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知\n嘉政办发〔2022〕47号\n各县"
    assert [str(m.doc_number) for m in find_doc_numbers(text)] == ["嘉政办发〔2022〕47号"]
