"""Search as people type it (#18): several words mean all of them, a 文号 written short finds its
document first, a miss says what was perhaps meant."""

import pytest

from gazette.search.query import short_number_pattern

NEV = "嘉政办发〔2022〕47号"


def test_several_words_mean_all_of_them(index):
    result = index.search("新能源汽车 消费券")
    assert all("新能源汽车" in h.title or "新能源汽车" in h.snippet for h in result.hits)
    assert not any("市长质量奖" in h.title for h in result.hits)
    assert NEV in [h.id for h in result.hits[:2]]


@pytest.mark.parametrize("query", ["47号", "嘉政办发47号", "2022 47", "2022年47号", "〔2022〕47号", "嘉政办发2022 47", "４７号"])
def test_short_doc_number_forms_find_the_document_first(index, query):
    assert index.search(query).hits[0].id == NEV


@pytest.mark.parametrize("query", ["47", "2022", "消费券47"])
def test_a_bare_number_is_not_a_doc_number(query):
    assert short_number_pattern(query) is None


def test_no_hit_suggests_titles_and_doc_numbers(index):
    typo = index.search("嘉政办发〔2022〕74号")
    assert typo.total == 0 and typo.suggestions[0] == NEV
    title = index.search("长质量将")
    assert title.total == 0 and title.suggestions == ["嘉兴市人民政府关于公布2021年度嘉兴市市长质量奖获奖单位的通知"]
    nothing = index.search("潜水艇")
    assert nothing.total == 0 and nothing.suggestions == []
