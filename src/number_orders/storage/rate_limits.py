"""The shared per-key rate-limit counters in the SQL store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from number_orders.storage.part import StorePart
from number_orders.storage.schema import rate_limit_counters


class SqlRateLimits(StorePart):
    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int:
        """Add `wanted` to the key's counter for the window in one upsert; the new total.

        The caller works out how many of its tokens fit under the limit from the total
        (`domain.rate_limits.granted`); a window's first lease also drops older windows.
        """
        with self.writing() as conn:
            used = int(
                conn.execute(
                    lease_statement(conn),
                    {
                        "account_id": account_id,
                        "key_id": key_id,
                        "window_start": window_start,
                        "used": wanted,
                    },
                ).scalar_one()
            )
            if used == wanted:
                c = rate_limit_counters.c
                conn.execute(
                    delete(rate_limit_counters).where(
                        c.account_id == account_id,
                        c.key_id == key_id,
                        c.window_start < window_start,
                    )
                )
        return used


def lease_statement(conn: Connection) -> Any:
    """Upsert that adds `:used` to a key's counter for a window and returns the new total."""
    dialect_insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(rate_limit_counters).values(
        account_id=bindparam("account_id"),
        key_id=bindparam("key_id"),
        window_start=bindparam("window_start"),
        used=bindparam("used"),
    )
    return statement.on_conflict_do_update(
        index_elements=["account_id", "key_id", "window_start"],
        set_={"used": rate_limit_counters.c.used + statement.excluded.used},
    ).returning(rate_limit_counters.c.used)
