"""Loading the demo (``creatormatch demo``): the synthetic roster, API key, brand, campaign,
ambassador program, compliance checks and the admin who signs in to the pages. The brand,
campaign and sender profile are ``demo/data/organisation.json``."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from accounts.service import AccountService
from accounts.users import UserService, new_password
from campaigns.service import BrandService, CampaignService
from core.errors import AuthenticationError, ConflictError
from core.settings import Settings
from creators.formats import ParsedRow
from creators.record import CreatorRecord, validation_errors
from creators.service import CreatorService, ImportSummary
from demo.checks import load_demo_checks
from demo.files import read_json
from demo.program import load_demo_program
from demo.roster import generate_roster
from models import Organization
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.outreach import OutreachRepository
from storage.repositories.users import UserRepository

__all__ = ["DEMO_SCOPES", "DemoResult", "demo_identity", "load_demo"]

DEMO_SCOPES = ["read", "write", "compliance"]
DEMO_EMAIL = "demo@creatormatch.example"
DEFAULT_DEMO_ORG = "demo"


def demo_identity(settings: Settings, org: str) -> tuple[str, Path, Path]:
    """The demo admin's e-mail, the key file and the sign-in file of organisation ``org``.
    The default organisation keeps the documented names (``demo@creatormatch.example``,
    ``var/demo-api-key``, ``var/demo-login``); another one gets its own, so a demo loaded
    into two organisations keeps both sign-ins and both keys."""
    if org == DEFAULT_DEMO_ORG:
        return DEMO_EMAIL, settings.data_dir / "demo-api-key", settings.data_dir / "demo-login"
    slug = re.sub(r"[^a-z0-9]+", "-", org.lower()).strip("-") or "org"
    digest = hashlib.sha256(org.encode()).hexdigest()[:6]
    tag = f"{slug[:40]}-{digest}"
    return (
        f"demo+{tag}@creatormatch.example",
        settings.data_dir / f"demo-api-key.{tag}",
        settings.data_dir / f"demo-login.{tag}",
    )


@dataclass(frozen=True)
class DemoResult:
    summary: ImportSummary
    api_key: str
    key_file: Path
    campaign_id: int
    program_id: int | None
    checks_added: int
    login_email: str
    login_password: str
    login_file: Path


# The demo brand, its campaign and the sender profile its e-mails go out with.
_ORGANISATION: dict[str, Any] = read_json("organisation.json")
DEMO_SENDER: dict[str, Any] = _ORGANISATION["sender"]
DEMO_BRAND: dict[str, Any] = _ORGANISATION["brand"]
DEMO_CAMPAIGN: dict[str, Any] = _ORGANISATION["campaign"]


def _demo_campaign(session: Session, settings: Settings, organization_id: int) -> int:
    """The demo brand, campaign and sender profile (created once, then left alone)."""
    outreach = OutreachService(settings)
    if OutreachRepository(session).sender(organization_id) is None:
        outreach.set_sender(session, organization_id, DEMO_SENDER)
    brand = BrandRepository(session).get_by_name(organization_id, str(DEMO_BRAND["name"]))
    if brand is None:
        brand = BrandService().create(session, organization_id, DEMO_BRAND)
    for campaign in CampaignRepository(session).list(organization_id, after_id=None, limit=1000):
        if campaign.name == DEMO_CAMPAIGN["name"]:
            return campaign.id
    return (
        CampaignService()
        .create(session, organization_id, {**DEMO_CAMPAIGN, "brand_id": brand.id})
        .id
    )


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
    email, key_file, login_file = demo_identity(settings, org)
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
            _write_secret(key_file, secret + "\n")
        campaign_id = _demo_campaign(session, settings, organization.id)
        program_id = load_demo_program(session, settings, organization.id)
        checks_added = load_demo_checks(session, settings, organization.id)
        password = _demo_user(session, organization, email, login_file)
    return DemoResult(
        summary=summary,
        api_key=secret,
        key_file=key_file,
        campaign_id=campaign_id,
        program_id=program_id,
        checks_added=checks_added,
        login_email=email,
        login_password=password,
        login_file=login_file,
    )


def _write_secret(path: Path, text: str) -> None:
    """``text`` into ``path``, readable by its owner only, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _demo_user(session: Session, organization: Organization, email: str, login_file: Path) -> str:
    """The demo admin's password: the one in ``login_file`` while it still signs in, else a
    new one (the user is created, or its password reset)."""
    users = UserService()
    user = UserRepository(session).get_by_email(email)
    if user is not None and user.organization_id != organization.id:
        raise ConflictError(
            f"{email} belongs to another organisation; remove that user or use another --org"
        )
    lines = login_file.read_text().splitlines() if login_file.is_file() else []
    password = lines[1].removeprefix("password: ") if len(lines) > 1 else ""
    if user is not None and password and users.verify(user, password):
        return password
    password = new_password()
    if user is None:
        users.create(
            session,
            organization,
            email=email,
            password=password,
            role="admin",
            name="Demo Admin",
        )
    else:
        users.set_password(user, password)
    _write_secret(login_file, f"email: {email}\npassword: {password}\n")
    return password
