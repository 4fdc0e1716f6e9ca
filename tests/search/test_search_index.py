import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.errors import InvalidInput
from gazette.search import SearchIndex, SearchIndexMissing, SearchResult

from .conftest import APPLIANCE_INTERPRETATION, NEV_INTERPRETATION, make_doc


def _titles(result: SearchResult, n: int | None = None) -> list[str]:
    return [h.title for h in result.hits[:n]]


def _ids(result: SearchResult, n: int | None = None) -> list[str]:
    return [h.id for h in result.hits[:n]]


# -- ranking on the shipped issues ---------------------------------------------------------------


def test_voucher_query_ranks_both_policies_and_their_interpretations_on_top(index):
    result = index.search("消费券")
    top4 = result.hits[:4]
    assert {h.doc_number for h in top4 if h.doc_number} == {"嘉政办发〔2022〕46号", "嘉政办发〔2022〕47号"}
    assert {h.title for h in top4 if not h.doc_number} == {NEV_INTERPRETATION, APPLIANCE_INTERPRETATION}


@pytest.mark.parametrize(
    "query", ["嘉政办发[2022]47号", "嘉政办发〔2022〕47 号", "嘉政办发（2022）47号", "嘉政办发〔2022〕47号"]
)
def test_doc_number_query_in_any_variant_finds_that_document_first(index, query):
    result = index.search(query)
    assert result.hits[0].doc_number == "嘉政办发〔2022〕47号"
    assert "<mark>" in result.hits[0].snippet


def test_doc_number_query_then_lists_documents_citing_it(index):
    result = index.search("嘉政办发[2019]38号")  # repealed by 45号; not printed itself
    assert result.hits[0].doc_number == "嘉政办发〔2022〕45号"
    assert "<mark>嘉政办发〔2019〕38号</mark>" in result.hits[0].snippet


@pytest.mark.parametrize("query", ["长护", "长护险"])
def test_two_character_word_inside_a_longer_run_finds_the_ltc_document(index, query):
    result = index.search(query)
    assert result.hits[0].doc_number == "嘉政发〔2022〕21号"
    assert "<mark>长护</mark>" in result.hits[0].snippet or "<mark>长护险</mark>" in result.hits[0].snippet


def test_car_show_finds_the_nev_policy_and_its_interpretation(index):
    result = index.search("车展")
    top2 = result.hits[:2]
    assert {h.doc_number for h in top2} == {"嘉政办发〔2022〕47号", None}
    assert NEV_INTERPRETATION in _titles(result, 2)
    assert all("车展</mark>" in h.snippet for h in top2)


def test_natural_language_question_ranks_the_nev_documents_first(index):
    result = index.search("新能源汽车消费券怎么领")
    assert set(_titles(result, 2)) == {
        NEV_INTERPRETATION,
        "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知",
    }


def test_flexible_worker_provident_fund(index):
    result = index.search("灵活就业人员 住房公积金")
    assert result.hits[0].doc_number == "嘉公积金〔2022〕9号"


def test_one_character_query_uses_unigrams(index):
    result = index.search("券")
    assert result.total >= 4
    assert "<mark>券</mark>" in result.hits[0].snippet


def test_no_match_is_an_empty_result_not_an_error(index):
    result = index.search("量子引力波")
    assert result.hits == [] and result.total == 0
    assert result.facets == {"category": {}, "issuer": {}, "year": {}}


# -- snippets and clauses ------------------------------------------------------------------------


def test_hit_carries_best_clause_and_highlighted_snippet(index):
    hit = next(h for h in index.search("消费券").hits if h.doc_number == "嘉政办发〔2022〕47号")
    assert hit.clause == "嘉政办发〔2022〕47号#一"
    assert "发放新能源汽车<mark>消费券</mark>" in hit.snippet
    assert hit.category == "市政府办公室文件" and hit.issuer == "嘉兴市人民政府办公室" and hit.year == 2022
    assert hit.score > 0


# -- facets and filters --------------------------------------------------------------------------


def test_facets_count_every_match(index):
    result = index.search("消费券")
    assert result.total == 4
    assert result.facets["category"] == {"市政府办公室文件": 2, "政策解读": 2}
    assert result.facets["year"] == {"2022": 4}
    assert sum(result.facets["issuer"].values()) == 4


def test_facets_cover_matches_beyond_the_limit(index):
    full = index.search("责任单位", limit=100)
    one = index.search("责任单位", limit=1)
    assert len(one.hits) == 1 and one.total == full.total > 1
    assert one.facets == full.facets
    assert sum(one.facets["category"].values()) == one.total


def test_filters_restrict_hits_total_and_facets(index):
    result = index.search("消费券", filters={"category": "政策解读"})
    assert result.total == 2
    assert set(_titles(result)) == {NEV_INTERPRETATION, APPLIANCE_INTERPRETATION}
    assert result.facets["category"] == {"政策解读": 2}
    assert index.search("消费券", filters={"issuer": "嘉兴市人民政府办公室"}).total == 2
    assert index.search("消费券", filters={"year": 2022}).total == 4
    assert index.search("消费券", filters={"year": "2022"}).total == 4
    assert index.search("消费券", filters={"year": 2021}).total == 0
    assert index.search("消费券", filters={"category": "政策解读", "year": 2022}).total == 2


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"status": "in_force"}, "filters"), ({"year": "二〇二二"}, "year"), ({"category": ""}, "category")],
)
def test_bad_filters_are_invalid_input(index, filters, field):
    with pytest.raises(InvalidInput) as e:
        index.search("消费券", filters=filters)
    assert e.value.field == field


@pytest.mark.parametrize("limit", [0, -1, 10_001, True])
def test_bad_limit_is_invalid_input(index, limit):
    with pytest.raises(InvalidInput):
        index.search("消费券", limit=limit)


@pytest.mark.parametrize("query", ["", "   ", "。，！"])
def test_blank_queries_are_invalid_input(index, query):
    with pytest.raises(InvalidInput):
        index.search(query)


# -- ranking rules on hand-made documents --------------------------------------------------------


@pytest.fixture()
def small(tmp_path):
    return SearchIndex(tmp_path / "small")


def test_documents_matching_all_words_are_the_only_hits(small):
    small.rebuild(
        [
            make_doc("some", "长护险" * 30 + "长护"),
            make_doc("all", "这是一段很长的关于其他事项的文字。" * 5 + "长护险,车展。"),
            make_doc("none", "无关内容"),
        ],
        fingerprint="x",
    )
    result = small.search("长护 车展")
    assert _ids(result) == ["all"]  # several words mean all of them
    assert result.total == 1 and not result.relaxed
    relaxed = small.search("长护 展会")  # nobody has both: those with some, said so
    assert _ids(relaxed) == ["some", "all"] and relaxed.relaxed


def test_title_is_boosted(small):
    body = "本办法适用于全市范围内的各类主体,具体由各部门负责解释。"
    small.rebuild(
        [
            make_doc("in-body", body + "护理保险。", title="关于某事项的通知"),
            make_doc("in-title", body + "其他事项。", title="关于护理保险的通知"),
        ],
        fingerprint="x",
    )
    assert _ids(small.search("护理保险")) == ["in-title", "in-body"]


def test_own_document_first_then_citing_documents_most_citations_first(small):
    dn = "嘉政办发〔2022〕47号"
    small.rebuild(
        [
            make_doc("cites-once", "根据嘉政办发[2022]47 号执行。"),
            make_doc("cites-twice", "依据(嘉政办发〔2022〕47号)。另见嘉政办发（2022）47号。"),
            make_doc(dn, "本政策自发布之日起施行。", doc_number=dn),
            make_doc("other", "嘉政办发〔2022〕46号"),
        ],
        fingerprint="x",
    )
    result = small.search("嘉政办发 [2022] 47 号")
    assert _ids(result) == [dn, "cites-twice", "cites-once"]
    assert result.hits[1].snippet.count("<mark>") == 2


def test_snippet_escapes_html_and_marks_matches(small):
    small.rebuild([make_doc("x", "<script>alert(1)</script> 长护险 & 车展", clauses=[])], fingerprint="x")
    hit = small.search("长护").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>长护</mark>" in hit.snippet and hit.clause is None


@pytest.mark.parametrize("text", ["举办新能源汽\n车展销活动", "举办新能源汽车\n\n展销活动"])
def test_snippet_matches_across_a_pdf_line_break(small, text):
    small.rebuild([make_doc("x", text, clauses=[("x#一", text)])], "x")
    hit = small.search("车展").hits[0]
    assert hit.clause == "x#一"
    assert hit.snippet == "举办新能源汽<mark>车展</mark>销活动"


def test_best_clause_is_the_one_matching_most_words(small):
    clauses = [("d#一", "发放消费券。"), ("d#二", "举办车展。"), ("d#三", "举办车展并发放消费券。")]
    small.rebuild([make_doc("d", "\n".join(c for _, c in clauses), clauses=clauses)], "x")
    assert small.search("车展 消费券").hits[0].clause == "d#三"
    assert small.search("车展").hits[0].clause in {"d#二", "d#三"}


# -- rebuild, fingerprint, missing index ---------------------------------------------------------


def test_missing_index(tmp_path):
    idx = SearchIndex(tmp_path / "nothing")
    assert idx.fingerprint() is None
    with pytest.raises(SearchIndexMissing) as e:
        idx.search("消费券")
    assert e.value.code == "search_index_missing"


def test_fingerprint_round_trips_and_rebuild_swaps(small, gazette_docs):
    assert small.rebuild(gazette_docs, fingerprint="v1") == len(gazette_docs)
    assert small.fingerprint() == "v1"
    reader = SearchIndex(small.directory)  # another process's view, opened before the swap
    assert reader.search("消费券").total == 4
    small.rebuild([d for d in gazette_docs if d.doc_number != "嘉政办发〔2022〕47号"], fingerprint="v2")
    assert small.fingerprint() == reader.fingerprint() == "v2"
    assert reader.search("消费券").total == 3
    assert len(list(small.directory.glob("gen-*"))) == 1  # the superseded generation is gone


def test_failed_rebuild_leaves_the_old_index_intact(small, gazette_docs):
    small.rebuild(gazette_docs, fingerprint="good")

    def exploding():
        yield from gazette_docs[:5]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        small.rebuild(exploding(), fingerprint="bad")
    assert small.fingerprint() == "good"
    assert small.search("消费券").total == 4
    assert len(list(small.directory.glob("gen-*"))) == 1


def test_a_doc_number_given_in_a_variant_is_stored_canonically(small):
    small.rebuild([make_doc("x", "正文", doc_number="嘉政办发[2022]47 号")], fingerprint="x")
    hit = small.search("嘉政办发〔2022〕47号").hits[0]
    assert (hit.id, hit.doc_number) == ("x", "嘉政办发〔2022〕47号")


def test_documents_without_optional_fields(small):
    small.rebuild([make_doc("bare", "长护险待遇")], fingerprint="x")
    result = small.search("长护")
    hit = result.hits[0]
    assert (hit.doc_number, hit.category, hit.issuer, hit.year) == (None, None, None, None)
    assert result.facets == {"category": {}, "issuer": {}, "year": {}}


# -- never raises on arbitrary text --------------------------------------------------------------

_QUERY_ALPHABET = st.sampled_from(
    list("长护险消费券车展嘉政办发〔〕[]()（）2047号的怎么 \n\u3000,。*:\"'~^-+!?\\/<>&aZ_𠀀\x00")
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.one_of(st.text(max_size=250), st.text(alphabet=_QUERY_ALPHABET, max_size=60)))
def test_search_never_raises_on_arbitrary_text(index, query):
    try:
        result = index.search(query, limit=5)
    except InvalidInput:
        return
    assert isinstance(result, SearchResult)
    assert len(result.hits) <= 5 and result.total >= len(result.hits)
    for hit in result.hits:
        assert isinstance(hit.snippet, str)


def test_concurrent_rebuilds_leave_one_complete_index(small, gazette_docs):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: small.rebuild(gazette_docs, fingerprint=f"v{i}"), range(4)))
    assert small.fingerprint() in {"v0", "v1", "v2", "v3"}
    assert small.search("消费券").total == 4
    assert len(list(small.directory.glob("gen-*"))) == 1
