"""The register: every task and target of the six supervised documents, each citing a clause that
exists; officers' corrections kept beside the extraction."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from gazette.api.problems import http_status
from gazette.corpus.parse import parse_file
from gazette.errors import GazetteError
from gazette.packs import load_pack
from jiaxing.schemes.supervision import params, queries, register, service
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.models import SupTask, SupTaskUnit
from tests.schemes.supervision.conftest import TASK, entries


@pytest.fixture(scope="module")
def corpus_ids() -> set[str]:
    ids: set[str] = set()
    for path in load_pack().gazette_files():
        r = parse_file(path)
        ids |= r.all_clause_ids() | {d.id for d in r.documents}
    return ids


def test_every_supervised_document_is_in_the_register():
    e = entries()
    docs = Counter(x["document"] for x in e)
    for doc in register.SUPERVISED:
        assert docs[doc] > 0, doc
    assert sum(1 for x in e if x["kind"] == "unit_task") == 109
    assert docs["嘉政发〔2022〕18号"] >= 28 and docs["嘉政办发〔2022〕11号"] >= 52
    assert docs["嘉政办发〔2022〕49号"] == 23 and docs["嘉政办发〔2022〕9号"] == 9 and docs["嘉政办发〔2022〕14号"] == 3


def test_every_cited_id_resolves(corpus_ids):
    for x in entries():
        assert x["clause"] in corpus_ids, x["id"]
        if x["deadline_source"]:
            assert x["deadline_source"] in corpus_ids, x["id"]
    for name, p in params.all_parameters().items():
        for ref in p.references:
            assert ref in corpus_ids, name


def test_readings_of_deadlines():
    by_id = {x["id"]: x for x in entries()}
    assert by_id["嘉政办发〔2022〕13号@d"]["deadline"] == dt.date(2022, 11, 30)  # 2022年11月底前
    assert by_id["嘉政办发〔2022〕13号@d"]["clause"] == "嘉政办发〔2022〕13号"
    assert by_id["嘉政办发〔2022〕49号#三.（一）@c"]["deadline"] == dt.date(2022, 9, 30)  # 部署阶段（2022年7月至9月）
    assert by_id["嘉政办发〔2022〕49号#三.（二）@c"]["deadline"] == dt.date(2024, 6, 30)
    assert by_id["嘉政办发〔2022〕9号#三.（二）@c"]["deadline"] == dt.date(2022, 12, 31)  # 2022年实施计划
    assert by_id["嘉政办发〔2022〕14号#三@c"]["duration"] == "P1Y" and by_id["嘉政办发〔2022〕14号#三@c"]["deadline"] is None
    assert by_id["嘉政发〔2022〕18号#一.（二）@c"]["deadline"] == dt.date(2025, 12, 31)  # first stated, not 2035
    first = by_id["嘉政发〔2022〕18号#二.（三）.8@1"]
    assert first["deadline"] == dt.date(2023, 12, 31)
    berths = by_id[TASK]["targets"]
    assert {"object": "万吨级泊位", "value": "2", "unit": "个", "comparison": ">="}.items() <= berths[0].items()


def test_correction_is_kept_beside_the_extraction(reg):
    res = service.correct(TASK, {"deadline": "2022-10-31", "units": "嘉兴海关、市商务局", "reason": "分解表"},
                          key="c1", actor="officer")
    assert res["values"]["units"] == ["嘉兴海关", "市商务局"]
    with reg() as s:
        t = s.get(SupTask, TASK)
        assert t.deadline == dt.date(2022, 12, 31) and "嘉兴边检站" in t.units  # the extraction is untouched
        detail = queries.task_detail(s, TASK, dt.date(2022, 11, 1))
        assert detail["deadline"] == "2022-10-31" and detail["extracted"]["deadline"] == "2022-12-31"
        assert detail["status"] == "overdue" and detail["corrected_fields"] == ["units", "deadline"]
        assert set(s.scalars(select(SupTaskUnit.unit).where(SupTaskUnit.task_id == TASK))) == {"嘉兴海关", "市商务局"}
    # a re-sync refreshes the extraction and keeps the corrections and their units
    service.sync(key="sync-2", actor="officer", entries=entries())
    with reg() as s:
        assert effective_tasks.task_units(s, TASK) == ["嘉兴海关", "市商务局"]
        assert queries.task_detail(s, TASK, dt.date(2022, 11, 1))["deadline"] == "2022-10-31"


def test_confirmation_and_bad_corrections(reg):
    service.confirm(TASK, key="k", actor="officer", note="与分解表一致")
    with reg() as s:
        assert queries.task_detail(s, TASK, dt.date(2022, 5, 1))["confirmed"]["by"] == "officer"
    with pytest.raises(GazetteError) as e:
        service.correct(TASK, {"reason": "无"}, key="k2", actor="officer")
    assert e.value.code == "empty_correction"
    with pytest.raises(GazetteError) as e:
        service.correct(TASK, {"deadline": "2022-13-01", "reason": "x"}, key="k3", actor="officer")
    assert e.value.field == "deadline"
    with pytest.raises(GazetteError) as e:
        service.correct("no-such-task", {"deadline": "2022-10-01", "reason": "x"}, key="k4", actor="officer")
    assert http_status(e.value) == 404


def test_sync_is_idempotent(reg):
    again = service.sync(key="sync-3", actor="officer", entries=entries())
    assert again["added"] == 0 and again["refreshed"] == 0 and again["entries"] == len(entries())
    with reg() as s:
        assert effective_tasks.count(s) == len(entries())


def test_the_plan_targets_are_the_cited_parameters():
    by_id = {x["id"]: x for x in entries()}
    two = {t["object"]: (t["value"], t["unit"], t["comparison"]) for t in by_id["嘉政办发〔2022〕9号#二@c"]["targets"]}
    assert two["市“551”重大项目"] == ("430", "个", "=") and two["市“551”重大项目年度计划投资"] == ("1202", "亿元", "=")
    assert two["现代产业类项目"] == ("200", "个", "=") and two["社会民生类年度计划投资"] == ("269", "亿元", "=")
    assert two["扩投资项目清单"] == ("3700", "个", ">=")
    one = {t["object"]: (t["value"], t["comparison"]) for t in by_id["嘉政办发〔2022〕9号#一@c"]["targets"]}
    assert one == {"全市固定资产投资总量": ("3000", ">"), "投资增速（确保）": ("8", ">="), "投资增速（力争）": ("10", ">="),
                   "六个结构性指标投资增速": ("10", ">="), "高耗能行业投资占比": ("13", "<=")}
    assert [t["value"] for t in by_id["嘉政办发〔2022〕9号#三.（二）@c"]["targets"]] == ["30", "80", "100"]
    assert by_id["嘉政办发〔2022〕9号#三.（一）@c"]["targets"][0]["value"] == "5000"
    assert by_id["嘉政办发〔2022〕9号#三.（三）@c"]["targets"] == []  # the lights' thresholds are checks, not targets
