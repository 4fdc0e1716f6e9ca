"""The task extraction fixes of issue 14, each on the gazette's own sentence and on a synthetic one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gazette.corpus.parse import parse_file
from gazette.corpus.targets import Target, durations, meets, parse_targets
from gazette.corpus.tasks import task_deadlines


@pytest.fixture(scope="module")
def tasks(gazette_paths):
    out = {}
    for p in gazette_paths:
        out.update({t.id: t for t in parse_file(p).tasks})
    return out


def test_duration_is_a_deadline_not_a_count(tasks):
    t = tasks["嘉政办发〔2022〕11号#三.（三）.11@1"]
    assert {"text": "6个月内审结", "date": None, "duration": "P6M"} in t.deadlines
    assert not any("6个" in x for x in t.targets)  # was '…案件6个' before the fix
    assert durations("收到申请后15个工作日内办结") == [{"text": "15个工作日内办结", "date": None, "duration": "P15D(working)"}]
    assert parse_targets("6个月内审结") == []


def test_target_keeps_its_object(tasks):
    assert "新增2个万吨级泊位" in tasks["嘉政办发〔2022〕11号#三.（二）.7@1"].targets
    (t,) = parse_targets("推进浙北集装箱运输通道建设，新增2个万吨级泊位，开工建设")
    assert (t.object, t.value, t.unit, t.comparison) == ("万吨级泊位", "2", "个", ">=")


def test_document_deadline_is_inherited_unless_own(tasks):
    own = tasks["嘉政发〔2022〕18号#二.（一）.1@1"]
    assert [d["date"] for d in own.deadlines] == ["2023-12-31"]
    inherited = tasks["嘉政办发〔2022〕11号#三.（一）.1@1"]
    assert inherited.deadlines == [{"text": "到2022年年底", "date": "2022-12-31", "inherited": "嘉政办发〔2022〕11号#二"}]
    doc = {"text": "到2022年年底", "date": "2022-12-31", "inherited": "X#二"}
    assert task_deadlines("到2023年底完成", doc) == [{"text": "到2023年底", "date": "2023-12-31"}]
    # a duration alone is no date: the document's deadline still applies
    assert task_deadlines("6个月内审结", doc)[-1] == doc


@pytest.mark.parametrize("text, obj, value, comparison", [
    ("到2025年底市、县两级涉灾部门预警信息共享率达100%", "县两级涉灾部门预警信息共享率", "100", ">="),
    ("“一网通办”率≥95%", "“一网通办”率", "95", ">="),
    ("“一网通办”率达到95%以上", "“一网通办”率", "95", ">="),
    ("高耗能行业投资全年占比控制在13%以下", "高耗能行业投资全年占比", "13", "<="),
    ("全年占比≤13%", "全年占比", "13", "<="),
    ("数据授权运营主体超15家", "数据授权运营主体", "15", ">"),
])
def test_percent_and_symbol_targets(text, obj, value, comparison):
    (t,) = parse_targets(text)
    assert (t.object, t.value, t.comparison) == (obj, value, comparison)


def test_reach_100_percent_in_the_corpus(tasks):
    assert "县两级涉灾部门预警信息共享率达100%" in tasks["嘉政发〔2022〕18号#二.（三）.9@1"].targets


def test_district_list_keeps_every_district(tasks):
    t = tasks["嘉政办发〔2022〕47号#一@1"]
    got = {(x.object, x.value, x.unit, x.comparison) for x in parse_targets(t.text)
           if x.object.endswith(("区", "县", "市"))}
    assert got == {("南湖区", "2200", "万元", ">="), ("嘉兴经济技术开发区", "2200", "万元", ">="),
                   ("海宁市", "1600", "万元", ">="), ("桐乡市", "1600", "万元", ">="),
                   ("嘉善县", "800", "万元", ">="), ("平湖市", "800", "万元", ">="), ("海盐县", "800", "万元", ">="),
                   ("秀洲区", "100", "万元", ">=")}
    plain = parse_targets("安排资金：南湖区500万元、秀洲区300万元、嘉兴港区120万元。")
    assert [(x.object, x.value, x.comparison) for x in plain] == [
        ("南湖区", "500", "="), ("秀洲区", "300", "="), ("嘉兴港区", "120", "=")]


@pytest.mark.parametrize("comparison, actual, ok", [
    (">=", "94.99", False), (">=", "95", True), ("<=", "13", True), ("<=", "13.01", False),
    (">", "15", False), (">", "16", True), ("=", "2", True),
])
def test_meets_is_exact(comparison, actual, ok):
    value = "2" if comparison == "=" else "95" if comparison == ">=" else "13" if comparison == "<=" else "15"
    assert meets(Target("x", value, "%", comparison, ""), Decimal(actual)) is ok
