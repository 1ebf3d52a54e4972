"""``creatormatch users create`` and the demo's sign-in."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts.users import UserService
from cli import common as cli_common
from cli import main as cli_main
from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from storage.repositories.users import UserRepository
from tests.cli.test_cli import invoke


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def _verifies(database: Database, email: str, password: str) -> bool:
    with database.session() as session:
        user = UserRepository(session).get_by_email(email)
        return user is not None and UserService().verify(user, password)


def test_users_create_makes_a_password_that_signs_in(runner: CliRunner, database: Database) -> None:
    assert invoke(runner, "orgs", "create", "acme")[0] == 0
    code, out, err = invoke(
        runner,
        "users",
        "create",
        "--org",
        "acme",
        "--email",
        "Rob@Acme.example",
        "--role",
        "reviewer",
    )
    assert code == 0, err
    assert "user rob@acme.example (reviewer) in 'acme'" in out
    found = re.search(r"password \(shown once\): (\S+)", out)
    assert found is not None
    assert _verifies(database, "rob@acme.example", found.group(1))
    code, out, _ = invoke(runner, "users", "list", "--org", "acme")
    assert "rob@acme.example\treviewer\tnever" in out


def test_users_create_reads_a_password_from_stdin(runner: CliRunner, database: Database) -> None:
    invoke(runner, "orgs", "create", "acme")
    result = runner.invoke(
        cli_main.app,
        [
            "users",
            "create",
            "--org",
            "acme",
            "--email",
            "ada@acme.example",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "password" not in result.stdout
    assert _verifies(database, "ada@acme.example", "a long enough passphrase")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nobody", "--email", "x@acme.example"], "not found"),
        (["--org", "acme", "--email", "x@acme.example", "--role", "root"], "unknown role 'root'"),
        (["--org", "acme", "--email", "not-an-address"], "field 'email': not an e-mail address"),
    ],
)
def test_users_create_fails_clearly(runner: CliRunner, args: list[str], message: str) -> None:
    invoke(runner, "orgs", "create", "acme")
    code, _, err = invoke(runner, "users", "create", *args)
    assert code == 1 and message in err


def test_demo_writes_a_sign_in_that_works_and_keeps_it_on_a_rerun(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    database: Database,
    embedder: object,
) -> None:
    monkeypatch.setattr(
        cli_common, "match_service", lambda s, **_kw: MatchService(s.index_dir, lambda: embedder)
    )
    code, out, err = invoke(runner, "demo", "--creators", "20", "--seed", "3")
    assert code == 0, err
    login_file = settings.data_dir / "demo-login"
    email_line, password_line = login_file.read_text().splitlines()
    email, password = email_line.removeprefix("email: "), password_line.removeprefix("password: ")
    assert f"{email} / {password}" in out
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    assert _verifies(database, email, password)
    code, out, err = invoke(runner, "demo", "--creators", "20", "--seed", "3")
    assert code == 0, err
    assert f"{email} / {password}" in out  # the same sign-in: nothing to re-learn
    login_file.unlink()
    code, out, err = invoke(runner, "demo", "--creators", "20", "--seed", "3")
    new_password = login_file.read_text().splitlines()[1].removeprefix("password: ")
    assert new_password != password and _verifies(database, email, new_password)
    assert not _verifies(database, email, password)


def test_demo_loads_into_a_second_organisation_with_its_own_sign_in_and_key(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    database: Database,
    embedder: object,
) -> None:
    monkeypatch.setattr(
        cli_common, "match_service", lambda s, **_kw: MatchService(s.index_dir, lambda: embedder)
    )
    code, out_a, err = invoke(runner, "demo", "--creators", "20", "--seed", "3", "--org", "a")
    assert code == 0, err
    code, out_b, err = invoke(runner, "demo", "--creators", "20", "--seed", "3", "--org", "b")
    assert code == 0, err
    assert "Traceback" not in out_b + err
    signs = {}
    for org, out in (("a", out_a), ("b", out_b)):
        found = re.search(r"demo sign-in \(also in (\S+)\): (\S+) / (\S+)", out)
        assert found is not None, out
        signs[org] = found.groups()
        assert _verifies(database, found.group(2), found.group(3))
        with database.session() as session:
            user = UserRepository(session).get_by_email(found.group(2))
            assert user is not None and user.organization.name == org
    assert signs["a"][0] != signs["b"][0] and signs["a"][1] != signs["b"][1]
    keys = {
        org: re.search(r"demo API key \(also in (\S+)\): (\S+)", out).groups()  # type: ignore[union-attr]
        for org, out in (("a", out_a), ("b", out_b))
    }
    assert keys["a"][0] != keys["b"][0]
    for path, key in keys.values():
        assert Path(path).read_text().strip() == key


def test_users_password_sets_a_forgotten_one_and_ends_the_sessions(
    runner: CliRunner, database: Database
) -> None:
    invoke(runner, "orgs", "create", "acme")
    code, out, err = invoke(
        runner, "users", "create", "--org", "acme", "--email", "rob@acme.example"
    )
    old = re.search(r"password \(shown once\): (\S+)", out)
    assert code == 0 and old is not None, err
    with database.session() as session:
        logged_in = UserService().login(session, "rob@acme.example", old.group(1))
        token = logged_in.token
    code, out, err = invoke(runner, "users", "password", "--email", "Rob@acme.example")
    assert code == 0, err
    new = re.search(r"password \(shown once\): (\S+)", out)
    assert new is not None and new.group(1) != old.group(1)
    assert _verifies(database, "rob@acme.example", new.group(1))
    assert not _verifies(database, "rob@acme.example", old.group(1))
    with database.session() as session:
        assert UserService().resolve(session, token) is None
    code, _, err = invoke(runner, "users", "password", "--email", "nobody@acme.example")
    assert code == 1 and "no user with the e-mail 'nobody@acme.example'" in err
