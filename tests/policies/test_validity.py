"""A rule's validity has one source: the window of its cited clause in the corpus (issue 11).

The corpus reads each document's commencement and expiry and each clause's own window from the gazette
text (gazette.corpus.validity). A rule's ``valid=`` and the null end-dates of its parameters are copies;
these tests hold them to the corpus — equal, or inside it — and list every exception with its reason.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.corpus.parse import parse_file
from gazette.packs import load_pack
from gazette.rules.engine import get_engine
from gazette.rules.parameters import Scale

ENGINE = get_engine()
OPEN_END = dt.date.max

#: rule id → why its window is not the corpus window of its clause (also in docs/decisions.md)
EXCEPTIONS = {
    "嘉政发〔2022〕21号#一.（二）": "D17: the standards 一、（二） records apply since June 2017 (一、（一）) with no end "
                               "in the text; after the plan (2024-12-31) the rule answers unknown, not ineligible",
    "嘉政发〔2022〕21号#一.（二）/funding": "D17, as the benefit",
    "嘉人社〔2022〕60号#二": "D13: 二 raises 290 to 320 from 2022-01-01; the 290 it replaces is applied to 2021",
}
#: parameter id prefix → why its dates are not the corpus window of a clause it cites
PARAMETER_EXCEPTIONS = {
    "ltc.": "D17 (see the LTC rules): the standards are applied from 2017-06 with no end",
}


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple]:
    """clause id → (document, the clause and its ancestors)."""
    out: dict[str, tuple] = {}

    def walk(document, clause, ancestors):
        chain = (*ancestors, clause)
        out[clause.id] = (document, chain)
        for child in clause.children:
            walk(document, child, chain)

    for path in load_pack().gazette_files():
        for document in parse_file(path).documents:
            for clause in document.clauses:
                walk(document, clause, ())
    return out


def corpus_window(corpus, clause_id: str, scope_title: str = "") -> tuple[dt.date | None, dt.date]:
    """The window the corpus knows for a clause: its own dated window (or an ancestor's) where the text gives
    one — it may start before the document, as 60号 二 does — else the document's; ended by the earliest end.
    A window on part of a clause (其中贷款贴息…) counts for a rule whose title names that part."""
    document, chain = corpus[clause_id]
    windows = [w for clause in chain for w in clause.windows
               if not w.partial or (w.scope and w.scope in scope_title)]
    starts = [w.effective_from for w in windows if w.effective_from]
    start = max(starts) if starts else document.effective_from
    ends = [w.effective_until for w in windows if w.effective_until] + [document.effective_until or OPEN_END]
    return start, min(ends)


def test_every_rule_window_is_its_clause_window(corpus):
    wrong = []
    for rule in ENGINE.rules:
        if rule.id in EXCEPTIONS:
            continue
        start, end = corpus_window(corpus, rule.clause, rule.title_zh)
        if (rule.valid_from, rule.valid_to or OPEN_END) != (start, end):
            wrong.append((rule.id, (rule.valid_from, rule.valid_to), "corpus:", (start, end)))
    assert not wrong, f"rule windows that differ from the corpus: {wrong}"


def test_every_exception_is_still_needed_and_lies_where_its_reason_says(corpus):
    for rule_id in EXCEPTIONS:
        rule = ENGINE.rules_by_id[rule_id]
        start, end = corpus_window(corpus, rule.clause, rule.title_zh)
        assert (rule.valid_from, rule.valid_to or OPEN_END) != (start, end), f"{rule_id} no longer needs its exception"
        # each exception starts earlier than the text's window (a standard already in force), never later
        assert rule.valid_from < start, rule_id


def test_a_clause_window_narrows_the_document_window(corpus):
    # 其中消费券和贷款贴息有效期至2022年12月31日: the vouchers end before the rest of 47号
    assert corpus_window(corpus, "嘉政办发〔2022〕47号#一") == (dt.date(2022, 9, 22), dt.date(2022, 12, 31))
    assert corpus_window(corpus, "嘉政办发〔2022〕47号#二")[1] == dt.date(2024, 12, 31)
    assert corpus_window(corpus, "嘉政办发〔2022〕47号#九", "贷款贴息")[1] == dt.date(2022, 12, 31)
    assert corpus_window(corpus, "嘉政办发〔2022〕47号#九", "最低首付")[1] == dt.date(2024, 12, 31)


def _ends(parameter) -> list[dt.date]:
    """The days a parameter's value ends (a null value starts the day after)."""
    if isinstance(parameter, Scale):
        history = [entry for bracket in parameter.brackets for entry in bracket.threshold]
    else:
        history = parameter.history
    return sorted({start - dt.timedelta(days=1) for start, value in history if value is None})


def test_parameter_end_dates_are_the_end_of_a_cited_clause(corpus):
    """A parameter's null end-date closes it on the last day of a window the corpus knows for a clause it
    cites; a parameter of a clause the corpus ends must end too."""
    wrong = []
    for parameter in ENGINE.params:
        if any(parameter.id.startswith(prefix) for prefix in PARAMETER_EXCEPTIONS):
            continue
        cited = [ref for ref in parameter.references if ref in corpus]
        window_ends = set()
        for ref in cited:
            window_ends.add(corpus_window(corpus, ref)[1])
            # a window on part of the clause (其中贷款贴息…) may close the parameters of that part
            window_ends |= {w.effective_until for clause in corpus[ref][1] for w in clause.windows
                            if w.partial and w.effective_until}
        ends = _ends(parameter) or [OPEN_END]
        if ends[-1] not in window_ends:
            wrong.append((parameter.id, ends[-1], sorted(window_ends)))
    assert not wrong, f"parameter end dates that no cited clause's window explains: {wrong}"


def test_the_parameters_a_rule_reads_cover_its_whole_window():
    """Inside its window a rule never falls inactive for a parameter that ended (or began) too early."""
    for rule in ENGINE.rules:
        days = [rule.valid_from] + ([rule.valid_to] if rule.valid_to else [])
        for on in days:
            [compiled] = [c for c in ENGINE.compile(on)[rule.entity] if c.rule is rule]
            assert compiled.active, (rule.id, on, compiled.inactive_reason)
