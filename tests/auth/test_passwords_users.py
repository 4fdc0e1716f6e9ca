"""Passwords (argon2id) and user administration, through the service and the CLI."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from gazette.api.problems import http_status
from gazette.auth import passwords
from gazette.auth import users as svc
from gazette.cli import app as cli
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work


def test_argon2id_hash_verifies_only_the_right_password():
    h = passwords.hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert passwords.verify(h, "correct horse") is True
    assert passwords.verify(h, "correct horsE") is False
    assert passwords.verify("not a hash", "correct horse") is False
    assert passwords.verify(None, "correct horse") is False
    assert passwords.hash_password("correct horse") != h  # salted


def test_needs_rehash_when_parameters_are_weaker():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse")
    assert passwords.needs_rehash(weak) is True
    assert passwords.needs_rehash(passwords.hash_password("correct horse")) is False


def test_short_password_is_refused():
    with pytest.raises(GazetteError) as e:
        passwords.hash_password("short")
    assert e.value.code == "weak_password"


def test_login_upgrades_a_weak_hash(clean_db):
    with unit_of_work() as s:
        svc.create_user(s, username="old", password="correct horse", role="citizen")
        svc.get_by_username(s, "old").password_hash = PasswordHasher(time_cost=1, memory_cost=8,
                                                                     parallelism=1).hash("correct horse")
    with unit_of_work() as s:
        assert svc.authenticate(s, "old", "correct horse") is not None
    with unit_of_work() as s:
        assert not passwords.needs_rehash(svc.get_by_username(s, "old").password_hash)


@pytest.mark.parametrize(("kw", "code"), [
    ({"role": "mayor"}, "unknown_role"),
    ({"role": "district_officer"}, "district_required"),
    ({"role": "enterprise"}, "enterprise_id_required"),
    ({"role": "citizen", "username": "has space"}, "invalid_username"),
    ({"role": "citizen", "password": "1234"}, "weak_password"),
])
def test_bad_user_is_a_clear_error_and_writes_nothing(clean_db, kw, code):
    args = {"username": "u1", "password": "long enough", **kw}
    with pytest.raises(GazetteError) as e, unit_of_work() as s:
        svc.create_user(s, **args)
    assert e.value.code == code and e.value.message_zh and e.value.message_en
    with unit_of_work() as s:
        assert svc.list_users(s) == []


def test_duplicate_username(clean_db):
    with unit_of_work() as s:
        svc.create_user(s, username="dup", password="long enough", role="auditor")
    with pytest.raises(GazetteError) as e, unit_of_work() as s:
        svc.create_user(s, username="dup", password="long enough", role="citizen")
    assert e.value.code == "username_taken" and http_status(e.value) == 409


def test_cli_users(clean_db):
    run = CliRunner().invoke
    r = run(cli, ["users", "create", "nanhu", "--role", "district_officer", "--district", "南湖区",
                  "--password", "long enough"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["district"] == "南湖区"
    r = run(cli, ["users", "create", "nanhu", "--role", "citizen", "--password", "long enough"])
    assert r.exit_code != 0 and isinstance(r.exception, GazetteError) and r.exception.code == "username_taken"
    r = run(cli, ["users", "create", "x", "--role", "district_officer", "--password", "long enough"])
    assert r.exception.code == "district_required"
    assert [u["username"] for u in json.loads(run(cli, ["users", "list"]).stdout)] == ["nanhu"]
    r = run(cli, ["users", "token", "nanhu", "--days", "1"])
    assert r.exit_code == 0 and json.loads(r.stdout)["token"].startswith("gzt_")
    assert run(cli, ["users", "set-password", "nanhu", "--password", "another one"]).exit_code == 0
    with unit_of_work() as s:
        assert svc.authenticate(s, "nanhu", "another one") is not None
        assert svc.authenticate(s, "nanhu", "long enough") is None
    assert run(cli, ["users", "deactivate", "nanhu"]).exit_code == 0
    with unit_of_work() as s:
        assert svc.authenticate(s, "nanhu", "another one") is None
    r = run(cli, ["users", "token", "nanhu"])
    assert r.exception.code == "user_inactive"
