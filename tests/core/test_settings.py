from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def make(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[arg-type]


def test_default_database_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = make(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/creatormatch.db"


def test_environment_variables_use_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORMATCH_PORT", "9123")
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", "postgresql://u@h/db")
    settings = make()
    assert settings.port == 9123
    assert settings.resolved_database_url == "postgresql://u@h/db"


def test_default_model_is_the_bundled_minilm() -> None:
    path = Path(make().resolved_model_path)
    assert (path / "config.json").is_file()
    assert "minilm" in str(path).lower()


def test_production_refuses_default_secrets_and_sqlite() -> None:
    with pytest.raises(ValidationError) as info:
        make(environment="production")
    message = str(info.value)
    assert "CREATORMATCH_SECRET_KEY" in message
    assert "CREATORMATCH_API_KEY_PEPPER" in message
    assert "PostgreSQL" in message


def test_production_accepts_real_settings() -> None:
    settings = make(
        environment="production",
        secret_key="s" * 40,
        api_key_pepper="p" * 40,
        database_url="postgresql://app@db/creatormatch",
    )
    assert settings.environment == "production"


def test_bad_port_names_the_field() -> None:
    with pytest.raises(ValidationError, match="port"):
        make(port=70000)


def test_webhooks_may_not_reach_private_addresses_by_default() -> None:
    settings = make()
    assert settings.webhook_allow_private is False
    assert settings.webhook_allowed_cidrs == []


def test_the_webhook_allow_list_is_comma_separated_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREATORMATCH_WEBHOOK_ALLOWED_CIDRS", "10.1.0.0/16, 127.0.0.1/32,fd00::/8")
    monkeypatch.setenv("CREATORMATCH_WEBHOOK_ALLOW_PRIVATE", "1")
    settings = make()
    assert settings.webhook_allowed_cidrs == [
        ipaddress.ip_network("10.1.0.0/16"),
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("fd00::/8"),
    ]
    assert settings.webhook_allow_private is True


def test_an_empty_webhook_allow_list_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORMATCH_WEBHOOK_ALLOWED_CIDRS", "")
    assert make().webhook_allowed_cidrs == []


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("10.1.2.3/16", "10.1.2.3/16 has host bits set"),
        ("10.0.0.0/33", "does not appear to be an IPv4 or IPv6 network"),
        ("10.0.0.0/8,intranet", "intranet is not a network"),
    ],
)
def test_a_bad_webhook_allow_list_names_the_setting(value: str, says: str) -> None:
    with pytest.raises(ValidationError) as info:
        make(webhook_allowed_cidrs=value)
    assert "CREATORMATCH_WEBHOOK_ALLOWED_CIDRS" in str(info.value)
    assert says in str(info.value)


def test_a_bad_allow_private_names_the_setting() -> None:
    with pytest.raises(ValidationError, match="webhook_allow_private"):
        make(webhook_allow_private="sometimes")
