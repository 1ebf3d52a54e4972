"""People who use the web pages: users (with a role in one organisation) and their login
sessions. API callers use keys (models/organization.py); users never do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdType, utcnow
from models.organization import Organization

__all__ = ["ROLES", "User", "WebSession"]

# What each role may do on the web pages: recruiters search, plan, write to creators and run
# programs; reviewers check posts and decide on them; admins do both and manage users.
ROLES: tuple[str, ...] = ("recruiter", "reviewer", "admin")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # Stored lower-cased: one account per address across organisations (the login form
    # asks for the address only).
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    # An argon2id hash (argon2-cffi's PasswordHasher), never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)

    organization: Mapped[Organization] = relationship()


class WebSession(Base):
    """A login. The cookie carries a random token; only its SHA-256 is stored, so a copy of
    the database cannot be replayed as a cookie. ``csrf_token`` is the per-session token
    every form must echo."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()
