import pytest

from gazette.errors import InvalidInput
from gazette.search.query import MAX_QUERY_CHARS, plan_query


@pytest.mark.parametrize(
    "query",
    [
        "嘉政办发[2022]47号",
        "嘉政办发〔2022〕47 号",
        "嘉政办发（2022）47号",
        "嘉政办发 [ 2022 ] 47 号",
        "嘉政办发【2022】４７号",
    ],
)
def test_a_doc_number_in_any_variant_is_recognised(query):
    plan = plan_query(query)
    assert plan.doc_numbers == ["嘉政办发〔2022〕47号"]
    assert plan.words == []


def test_a_doc_number_inside_a_longer_query_is_split_off():
    plan = plan_query("消费券 嘉政办发[2022]47号")
    assert plan.doc_numbers == ["嘉政办发〔2022〕47号"]
    assert [w.text for w in plan.words] == ["消费券"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("消费券 嘉政办发 [2022] 47 号 长护", ["消费券", "长护"]),
        ("废止嘉政办发〔2022〕47号文件", ["废止", "文件"]),
        ("嘉政办发〔2022〕47号,嘉政发〔2022〕21号", []),
    ],
)
def test_doc_numbers_and_words_mixed(query, words):
    plan = plan_query(query)
    assert plan.doc_numbers[0] == "嘉政办发〔2022〕47号"
    assert [w.text for w in plan.words] == words


def test_numbers_separated_by_spaces_stay_separate_words():
    assert [w.text for w in plan_query("2022 1000 47").words] == ["2022", "1000", "47"]


def test_year_and_number_read_as_a_short_doc_number():
    plan = plan_query("2022 47")
    assert plan.number_patterns == [".*〔2022〕47号"] and plan.words == []


def test_short_runs_are_one_exact_word():
    assert [w.text for w in plan_query("长护").words] == ["长护"]
    assert [w.text for w in plan_query("消费券").words] == ["消费券"]


def test_spaces_split_words():
    assert [w.text for w in plan_query("灵活就业  公积金\t贷款").words] == ["灵活就业", "公积金", "贷款"]


def test_long_runs_are_segmented_stopwords_dropped_and_lone_characters_glued():
    plan = plan_query("新能源汽车消费券怎么领")
    words = [w.text for w in plan.words]
    assert "消费券" in words  # jieba gives 消费 + 券: glued back
    assert "怎么" not in words
    assert {"新能源", "汽车"} <= set(words)
    assert [w.text for w in plan.soft_words] == ["领"]  # a lone character is scored, not required
    assert [r.text for r in plan.runs] == ["新能源汽车消费券"]


def test_question_words_are_dropped():
    words = [w.text for w in plan_query("灵活就业人员如何缴存住房公积金").words]
    assert "如何" not in words and "住房" in words and "公积金" in words


def test_ascii_is_lowercased():
    assert [w.text for w in plan_query("5G").words] == ["5g"]


@pytest.mark.parametrize(
    "query", ["", "   ", "\n\t\u3000", "！！！", "，。、《》", "___", "x" * (MAX_QUERY_CHARS + 1)]
)
def test_blank_absurd_or_unsearchable_queries_are_invalid_input(query):
    with pytest.raises(InvalidInput) as e:
        plan_query(query)
    assert e.value.field == "q"
    assert e.value.code == "invalid_input"


def test_too_many_words_is_invalid_input():
    with pytest.raises(InvalidInput):
        plan_query(" ".join(f"词{i}" for i in range(30)))
