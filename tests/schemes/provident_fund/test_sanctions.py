"""第七章 法律责任 — 第二十二条 (restriction) and 第二十三条 (loan recall, raised rate)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from gazette.store.db import unit_of_work
from jiaxing.schemes.provident_fund import sanctions
from jiaxing.schemes.provident_fund import service as S

from .conftest import advance, counts, cycle, person, view

P1, P2 = "330402199001011230", "330402198003015679"


def _open(url, pid):
    with unit_of_work(url) as s:
        S.open_account(s, person(pid), 500_000, "12")


def _sanctions(url):
    with unit_of_work(url) as s:
        return s.execute(text("SELECT kind, article, closed_on, outcome FROM pf_sanctions ORDER BY id")).all()


def test_article_22_restriction_blocks_applications_until_its_end(fund):
    _open(fund, P1)
    with unit_of_work(fund) as s:
        r = sanctions.restrict(s, P1, dt.date(2023, 4, 30), "提供伪造的购房合同申请提取")
    assert r["clause"] == "嘉公积金〔2022〕9号#第二十二条" and not r["replayed"]
    with unit_of_work(fund) as s:  # recording it again changes nothing
        assert sanctions.restrict(s, P1, dt.date(2023, 4, 30), "提供伪造的购房合同申请提取")["replayed"]
    v = view(fund, P1)
    assert [b["clause"] for b in v["loan"]["blocked_by"]] == ["嘉公积金〔2022〕9号#第二十二条"]
    assert v["withdrawal"]["blocked_by"][0]["until"] == "2023-04-30"
    assert "偿还贷款除外" in v["loan"]["blocked_by"][0]["zh"]
    advance(fund, dt.date(2023, 5, 1))  # the restriction has run its course
    v = view(fund, P1)
    assert v["loan"]["blocked_by"] == [] and v["withdrawal"]["blocked_by"] == []


@pytest.mark.parametrize("until, reason, code", [
    (dt.date(2022, 5, 1), "伪造材料", "restriction_until_not_future"),  # the business date itself
    (dt.date(2023, 1, 1), "  ", "reason_required"),
])
def test_article_22_bad_input_writes_nothing(fund, until, reason, code):
    _open(fund, P1)
    before = counts(fund)
    with pytest.raises(Exception) as e:
        with unit_of_work(fund) as s:
            sanctions.restrict(s, P1, until, reason)
    assert getattr(e.value, "code", None) == code
    assert counts(fund) == before


def _borrower_in_arrears(url):
    _open(url, P1)
    _open(url, P2)
    with unit_of_work(url) as s:
        S.set_loan(s, P1, True)
    for m in ("2022-05", "2022-06", "2022-07"):
        cycle(url, m, failed={P1, P2})
    assert _sanctions(url) == []  # reminded only (催收), nothing recalled yet
    cycle(url, "2022-08", failed={P1, P2})  # still unpaid after the reminder: 经催缴督办仍拒不整改


def test_article_23_arrears_of_a_borrower_opens_a_loan_recall(fund):
    _borrower_in_arrears(fund)
    assert _sanctions(fund) == [("loan_recall", "第二十三条", None, None)]  # P2 has no loan: sealed only
    v1, v2 = view(fund, P1), view(fund, P2)
    assert v1["status"] == v2["status"] == "sealed"
    assert v1["sanctions"][0]["deadline"] == "2022-10-05"  # 30 days after the arrears run on 2022-09-05
    assert v1["loan"]["blocked_by"][0]["clause"] == "嘉公积金〔2022〕9号#第二十三条" and v2["sanctions"] == []
    S.arrears_run("2022-08")  # the run is idempotent: no second recall
    assert len(_sanctions(fund)) == 1


def test_article_23_unrecovered_recall_raises_the_loan_rate(fund):
    _borrower_in_arrears(fund)
    before = counts(fund)
    with pytest.raises(Exception) as e:  # the deadline has not passed
        with unit_of_work(fund) as s:
            sanctions.resolve_recall(s, P1, recovered=False)
    assert e.value.code == "recall_deadline_not_reached" and counts(fund) == before
    advance(fund, dt.date(2022, 10, 6))
    with unit_of_work(fund) as s:
        r = sanctions.resolve_recall(s, P1, recovered=False)
    assert r["rate_raised"]["clause"] == "嘉公积金〔2022〕9号#第二十三条"
    assert [k for k, *_ in _sanctions(fund)] == ["loan_recall", "loan_rate_raised"]
    assert view(fund, P1)["loan"]["blocked_by"] == []  # the recall is closed; the raised rate is the loan system's


def test_article_23_recovered_recall_closes_the_loan(fund):
    _borrower_in_arrears(fund)
    with unit_of_work(fund) as s:
        r = sanctions.resolve_recall(s, P1, recovered=True)
    assert r["recall"]["outcome"] == "recovered" and r["rate_raised"] is None
    v = view(fund, P1)
    assert v["loan"]["loan_outstanding"] is False and v["sanctions"] == []
    with pytest.raises(Exception) as e:
        with unit_of_work(fund) as s:
            sanctions.resolve_recall(s, P1, recovered=True)
    assert e.value.code == "no_open_recall"
