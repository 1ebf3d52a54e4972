"""Sign-in throttling: failed attempts counted per client address and per (e-mail address,
client address), in sliding one-minute windows, in this process.

- **Password spraying** (one client, many addresses) stops at ``per_client`` failures a
  minute: that client is refused for every address until its window frees.
- **Guessing one person's password** stops at ``per_address`` failures a minute from one
  client for that address.
- **The person being guessed is not locked out**: the attacker's failures count against the
  attacker's client address, so the right password from the person's own network still
  signs in. Successful sign-ins count for nothing and clear the pair's failures.

Client addresses come from the connection, or from ``X-Forwarded-For`` only when the
connection comes from a proxy listed in ``CREATORMATCH_FORWARDED_ALLOW_IPS``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Refusal", "SignInThrottle"]

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before the password is checked, and for how long."""

    reason: str  # "client" or "address"
    retry_after: int


class SignInThrottle:
    def __init__(
        self,
        *,
        per_client: int = 30,
        per_address: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_client = per_client
        self.per_address = per_address
        self._clock = clock
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _window(self, key: tuple[str, ...], now: float) -> deque[float]:
        window = self._failures.setdefault(key, deque())
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        return window

    def check(self, email: str, client: str) -> Refusal | None:
        """A refusal if this client may not try now (for any address, or for this one)."""
        now = self._clock()
        address = email.strip().lower()
        with self._lock:
            for reason, key, limit in (
                ("client", ("client", client), self.per_client),
                ("address", ("pair", address, client), self.per_address),
            ):
                window = self._window(key, now)
                if len(window) >= limit:
                    wait = max(1, math.ceil(window[0] + WINDOW_SECONDS - now))
                    return Refusal(reason, wait)
            self._prune(now)
        return None

    def failed(self, email: str, client: str) -> None:
        """Count a failed attempt (wrong address or password) against the client."""
        now = self._clock()
        address = email.strip().lower()
        with self._lock:
            self._window(("client", client), now).append(now)
            self._window(("pair", address, client), now).append(now)

    def succeeded(self, email: str, client: str) -> None:
        """A right password: the pair starts afresh (the client's count stays)."""
        with self._lock:
            self._failures.pop(("pair", email.strip().lower(), client), None)

    def _prune(self, now: float) -> None:
        # Keep memory bounded under a flood of distinct keys.
        if len(self._failures) > 10_000:
            stale = [k for k, w in self._failures.items() if not w or w[-1] <= now - WINDOW_SECONDS]
            for key in stale:
                del self._failures[key]
