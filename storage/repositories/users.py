"""Queries on web users and their sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from models import User, WebSession, utcnow

__all__ = ["UserRepository"]


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_email(self, email: str) -> User | None:
        return self.session.scalar(
            select(User).options(joinedload(User.organization)).where(User.email == email)
        )

    def get(self, organization_id: int, user_id: int) -> User | None:
        return self.session.scalar(
            select(User).where(User.organization_id == organization_id, User.id == user_id)
        )

    def list_for(self, organization_id: int) -> list[User]:
        stmt = select(User).where(User.organization_id == organization_id).order_by(User.id)
        return list(self.session.scalars(stmt))

    def active_with_roles(self, organization_id: int, roles: Sequence[str]) -> list[User]:
        """The organisation's users with one of ``roles`` who are not disabled, by e-mail."""
        stmt = select(User).where(
            User.organization_id == organization_id,
            User.role.in_(list(roles)),
            User.disabled_at.is_(None),
        )
        return list(self.session.scalars(stmt.order_by(User.email)))

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def session_by_token_hash(self, token_hash: str) -> WebSession | None:
        return self.session.scalar(
            select(WebSession)
            .options(joinedload(WebSession.user).joinedload(User.organization))
            .where(WebSession.token_hash == token_hash)
        )

    def session_by_id(self, session_id: int) -> WebSession | None:
        return self.session.get(WebSession, session_id)

    def add_session(self, web_session: WebSession) -> WebSession:
        self.session.add(web_session)
        self.session.flush()
        return web_session

    def revoke_sessions(self, user_id: int, *, except_id: int | None = None) -> None:
        stmt = (
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if except_id is not None:
            stmt = stmt.where(WebSession.id != except_id)
        self.session.execute(stmt)

    def delete_expired_sessions(self, user_id: int, now: datetime) -> None:
        self.session.execute(
            delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= now)
        )
