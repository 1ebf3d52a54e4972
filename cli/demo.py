"""Loading the synthetic demo roster and the demo API key (``creatormatch demo``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from accounts.service import AccountService
from core.errors import AuthenticationError
from core.settings import Settings
from creators.demo import generate_roster
from creators.formats import ParsedRow
from creators.record import CreatorRecord, validation_errors
from creators.service import CreatorService, ImportSummary
from storage.database import Database

__all__ = ["DEMO_SCOPES", "DemoResult", "load_demo"]

DEMO_SCOPES = ["read", "write", "compliance"]


@dataclass(frozen=True)
class DemoResult:
    summary: ImportSummary
    api_key: str
    key_file: Path


def _rows(creators: int, seed: int) -> Iterator[ParsedRow]:
    for number, data in enumerate(generate_roster(creators, seed=seed), start=1):
        try:
            yield ParsedRow(line=number, record=CreatorRecord.model_validate(data))
        except ValidationError as exc:
            yield ParsedRow(line=number, errors=validation_errors(exc, line=number))


def load_demo(
    settings: Settings, database: Database, *, org: str, creators: int, seed: int
) -> DemoResult:
    """Create the organisation, upsert the roster (idempotent), and make sure the key in
    ``<data_dir>/demo-api-key`` works; a missing or dead key is replaced."""
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    key_file = settings.data_dir / "demo-api-key"
    with database.session() as session:
        organization = accounts.get_or_create_organization(session, org)
        summary = CreatorService().import_rows(
            session, organization.id, _rows(creators, seed), batch_size=settings.import_batch_size
        )
        secret = key_file.read_text().strip() if key_file.is_file() else ""
        valid = False
        if secret:
            try:
                valid = accounts.authenticate(session, secret).organization_id == organization.id
            except AuthenticationError:
                valid = False
        if not valid:
            secret = accounts.create_key(session, organization, DEMO_SCOPES, name="demo").secret
            key_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_file.with_suffix(".tmp")
            tmp.write_text(secret + "\n")
            os.chmod(tmp, 0o600)
            os.replace(tmp, key_file)
    return DemoResult(summary=summary, api_key=secret, key_file=key_file)
