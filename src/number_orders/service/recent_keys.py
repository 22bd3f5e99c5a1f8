"""A process's short memory of keys that just passed authentication."""

from __future__ import annotations

import time
from collections.abc import Callable


class RecentKeys:
    """Keys that passed authentication in the last `seconds`, so most requests skip the
    lookup. A revocation through this process's store takes effect at once (it bumps
    `Store.revocations`); one made by another process takes effect within `seconds`.
    Only successes are kept, only briefly, and nothing else depends on them.
    """

    MAX_KEYS = 10_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._accounts: dict[str, tuple[str, float]] = {}
        self._revocations = 0

    def remember(self, token: str, account_id: str, revocations: int) -> None:
        if self.seconds <= 0:
            return
        if len(self._accounts) >= self.MAX_KEYS or revocations != self._revocations:
            self._accounts.clear()
            self._revocations = revocations
        self._accounts[token] = (account_id, self.clock() + self.seconds)

    def account_of(self, token: str, revocations: int) -> str | None:
        found = self._accounts.get(token)
        if found is None or revocations != self._revocations or found[1] < self.clock():
            return None
        return found[0]
