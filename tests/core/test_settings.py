from __future__ import annotations

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
