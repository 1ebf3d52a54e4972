"""Plain factory functions for tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from accounts.service import AccountService
from core.settings import Settings
from storage.database import Database


def creator_record(**overrides: Any) -> dict[str, Any]:
    """A valid, rich creator record; override any field."""
    record: dict[str, Any] = {
        "platform": "instagram",
        "handle": "lena.greenkitchen",
        "display_name": "Lena | Green Kitchen",
        "bio": "Plant-based recipes for busy weeknights.",
        "profile_url": "https://www.instagram.com/lena.greenkitchen",
        "country": "DE",
        "language": "de",
        "followers": 48200,
        "avg_likes": 2100,
        "avg_comments": 64,
        "posts_per_month": 12,
        "categories": ["vegan", "food"],
        "recent_posts": [
            {
                "text": "Linsen-Curry in 20 Minuten #vegan #meal prep",
                "posted_at": "2026-10-01T18:00:00Z",
                "likes": 2300,
                "comments": 70,
                "url": "https://www.instagram.com/p/abc",
            }
        ],
        "audience": {
            "age": {"18-24": 0.22, "25-34": 0.46, "35-44": 0.2, "45-54": 0.08, "55+": 0.04},
            "gender": {"female": 0.78, "male": 0.2, "other": 0.02},
            "countries": {"DE": 0.71, "AT": 0.12},
            "interests": ["cooking", "sustainability"],
        },
        "rates": {"currency": "EUR", "post": 650, "story": 200},
        "email": "lena@example.com",
        "brands_mentioned": ["greenbowl"],
        "source": "test",
    }
    record.update(overrides)
    return record


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


@dataclass
class ApiClient:
    """A TestClient bound to one organisation's key."""

    client: TestClient
    org_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def get(self, url: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.get(url, headers=headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.post(url, headers=headers, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.put(url, headers=headers, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.patch(url, headers=headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.delete(url, headers=headers, **kw)


def make_org_with_key(
    client: TestClient, settings: Settings, database: Database, name: str, scopes: list[str]
) -> ApiClient:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        org = accounts.create_organization(session, name)
        created = accounts.create_key(session, org, scopes)
        org_id = org.id
    return ApiClient(client=client, org_id=org_id, key=created.secret)


def add_key(settings: Settings, database: Database, org_id: int, scopes: list[str]) -> str:
    from models import Organization

    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        org = session.get(Organization, org_id)
        assert org is not None
        return accounts.create_key(session, org, scopes).secret
