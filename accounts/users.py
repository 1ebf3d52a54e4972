"""Web users: people in an organisation with a role, a password and login sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults, re-hashed on login when the
parameters change). A session is a random token in an HttpOnly cookie; the database keeps
its SHA-256 and a per-session CSRF token. Failed logins say only "wrong e-mail or password".
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from core.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError
from models import ROLES, Organization, User, WebSession, utcnow
from storage.repositories.users import UserRepository

__all__ = ["MIN_PASSWORD_LENGTH", "SESSION_LIFETIME", "LoggedIn", "UserService", "new_password"]

MIN_PASSWORD_LENGTH = 12
SESSION_LIFETIME = timedelta(hours=12)
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong
# password (no user enumeration by timing).
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def new_password() -> str:
    """A random password that is easy to copy (no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoggedIn:
    """A new session: ``token`` goes into the cookie and is never stored."""

    session: WebSession
    token: str


class UserService:
    def create(
        self,
        session: Session,
        organization: Organization,
        *,
        email: str,
        password: str,
        role: str,
        name: str = "",
    ) -> User:
        email = email.strip().lower()
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            raise InvalidInputError.for_field("email", f"not an e-mail address: {email!r}")
        if role not in ROLES:
            raise InvalidInputError.for_field("role", f"unknown role {role!r}; use {list(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInputError.for_field(
                "password", f"use at least {MIN_PASSWORD_LENGTH} characters"
            )
        repository = UserRepository(session)
        if repository.get_by_email(email) is not None:
            raise ConflictError(f"a user with the e-mail {email!r} already exists")
        return repository.add(
            User(
                organization_id=organization.id,
                email=email,
                name=name.strip(),
                role=role,
                password_hash=_hasher.hash(password),
            )
        )

    def set_password(self, user: User, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInputError.for_field(
                "password", f"use at least {MIN_PASSWORD_LENGTH} characters"
            )
        user.password_hash = _hasher.hash(password)

    def verify(self, user: User, password: str) -> bool:
        try:
            return _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def login(
        self, session: Session, email: str, password: str, *, now: datetime | None = None
    ) -> LoggedIn:
        """A new session for the user with ``email`` and ``password``, or
        AuthenticationError that does not say which of the two was wrong."""
        now = now or utcnow()
        user = UserRepository(session).get_by_email(email.strip().lower())
        if user is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password)
            raise AuthenticationError("wrong e-mail or password")
        if not self.verify(user, password) or user.disabled_at is not None:
            raise AuthenticationError("wrong e-mail or password")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = now
        UserRepository(session).delete_expired_sessions(user.id, now)
        token = secrets.token_urlsafe(32)
        web_session = UserRepository(session).add_session(
            WebSession(
                user_id=user.id,
                token_hash=_token_hash(token),
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        return LoggedIn(session=web_session, token=token)

    def resolve(
        self, session: Session, token: str, *, now: datetime | None = None
    ) -> WebSession | None:
        """The live session behind a cookie token, or None (unknown, expired, revoked or
        the user disabled)."""
        if not token:
            return None
        found = UserRepository(session).session_by_token_hash(_token_hash(token))
        now = now or utcnow()
        if (
            found is None
            or found.revoked_at is not None
            or found.expires_at <= now
            or found.user.disabled_at is not None
        ):
            return None
        return found

    def logout(self, web_session: WebSession, *, now: datetime | None = None) -> None:
        web_session.revoked_at = now or utcnow()

    def end_session(
        self, session: Session, session_id: int, *, now: datetime | None = None
    ) -> None:
        """Sign out of one session (nothing happens if it is gone)."""
        found = UserRepository(session).session_by_id(session_id)
        if found is not None:
            self.logout(found, now=now)

    def find(self, session: Session, organization_id: int, user_id: int) -> User | None:
        """The organisation's user with this id, or None."""
        return UserRepository(session).get(organization_id, user_id)

    def members(self, session: Session, organization_id: int) -> list[User]:
        """The organisation's users, in id order."""
        return UserRepository(session).list_for(organization_id)

    def change_password(
        self, session: Session, user: User, *, current: str, new: str, keep_session_id: int
    ) -> None:
        """Set a new password after checking the current one; every other session of the
        user ends (a stolen cookie stops working)."""
        if not self.verify(user, current):
            raise InvalidInputError.for_field("current_password", "this is not your password")
        self.set_password(user, new)
        UserRepository(session).revoke_sessions(user.id, except_id=keep_session_id)

    def reset_password(self, session: Session, email: str, password: str) -> User:
        """Set the password of the user with ``email`` (an operator's way back from a
        forgotten password); every session of the user ends."""
        user = UserRepository(session).get_by_email(email.strip().lower())
        if user is None:
            raise NotFoundError(f"no user with the e-mail {email.strip().lower()!r}")
        self.set_password(user, password)
        UserRepository(session).revoke_sessions(user.id)
        return user

    def set_disabled(self, session: Session, actor: User, user: User, *, disabled: bool) -> None:
        """Disable (every session ends, sign-in refused) or re-enable ``user``; an admin
        cannot disable themselves, so an organisation never locks its last admin out by
        mistake."""
        if disabled and user.id == actor.id:
            raise InvalidInputError.for_field("user", "you cannot disable yourself")
        user.disabled_at = utcnow() if disabled else None
        if disabled:
            UserRepository(session).revoke_sessions(user.id)
