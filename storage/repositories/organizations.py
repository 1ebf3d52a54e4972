"""Queries on organisations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import Organization

__all__ = ["OrganizationNotFoundError", "OrganizationRepository"]


class OrganizationNotFoundError(NotFoundError):
    def __init__(self, name: str) -> None:
        super().__init__(f"organisation {name!r} not found")
        self.name = name


class OrganizationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, organization_id: int) -> Organization | None:
        return self.session.get(Organization, organization_id)

    def get_by_name(self, name: str) -> Organization | None:
        return self.session.scalar(select(Organization).where(Organization.name == name))

    def get_by_name_or_raise(self, name: str) -> Organization:
        org = self.get_by_name(name)
        if org is None:
            raise OrganizationNotFoundError(name)
        return org

    def ids(self) -> list[int]:
        """Every organisation's id, in id order."""
        return list(self.session.scalars(select(Organization.id).order_by(Organization.id)))

    def list(self) -> list[Organization]:
        return list(self.session.scalars(select(Organization).order_by(Organization.id)))

    def add(self, org: Organization) -> Organization:
        self.session.add(org)
        self.session.flush()
        return org
