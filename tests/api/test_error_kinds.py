"""The domain raises kinds of errors; the edge alone turns a kind (or a listed code) into an HTTP status."""

from __future__ import annotations

import pickle

import pytest

from gazette.api.problems import CODE_STATUS, http_status, problem_body
from gazette.errors import (
    Conflict,
    Forbidden,
    GazetteError,
    InvalidInput,
    Misconfigured,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from gazette.ledger.errors import InsufficientFunds, UnknownBook


@pytest.mark.parametrize(("error", "status"), [
    (InvalidInput("坏", "bad", field="x"), 422),
    (NotFound("规则", "r1", what_en="rule"), 404),
    (Conflict("已办", "done"), 409),
    (Unauthorized("请登录", "log in"), 401),
    (Forbidden("无权", "forbidden"), 403),
    (TooManyRequests("稍后", "later", details={"retry_after": 60}), 429),
    (PayloadTooLarge("过大", "too large"), 413),
    (Unavailable("繁忙", "busy"), 503),
    (Misconfigured("配置错误", "misconfigured"), 500),
    (GazetteError("refused", "拒绝", "refused"), 400),
    (InsufficientFunds("b", "a", 1, 2), 409),  # a ledger error is of a kind too
    (UnknownBook("b"), 404),
])
def test_each_kind_has_one_status(error, status):
    assert http_status(error) == status
    body = problem_body(error, "/api/v1/x")
    assert body["status"] == status and body["code"] == error.code and body["instance"] == "/api/v1/x"
    assert body["title"] == error.message_en and body["detail"] == error.message_zh


def test_a_listed_code_overrides_its_kind():
    code, status = next(iter(CODE_STATUS.items()))
    assert http_status(InvalidInput("缺少", "missing", code=code)) == status != 422


def test_not_found_names_the_thing_in_both_languages():
    error = NotFound("规则", "r1", field="id", what_en="rule", code="rule_not_found")
    assert (error.message_zh, error.message_en, error.field) == ("未找到规则：r1", "rule not found: r1", "id")
    link = NotFound.with_message("链接无效", "the link is damaged", field="slug", code="bad_link")
    assert http_status(link) == 404 and link.message_en == "the link is damaged"


def test_an_error_survives_a_process_boundary():
    error = pickle.loads(pickle.dumps(InsufficientFunds("book", "pool", 1, 2)))
    assert isinstance(error, InsufficientFunds) and error.details["requested_fen"] == 2 and http_status(error) == 409
