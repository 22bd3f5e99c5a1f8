"""The migration that adds levels of detail to `order_period_counts`, on SQLite and
PostgreSQL: the rows of every level are the sums of the full-detail rows that were there,
and the way back keeps exactly the full-detail rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

import number_orders.storage
from number_orders.storage.database import make_engine
from number_orders.storage.periods import levels

MIGRATIONS = Path(number_orders.storage.__file__).parent / "migrations"
BEFORE = str(ScriptDirectory(str(MIGRATIONS)).get_revision("0016p").down_revision)
DAY = 86_400_000_000

# (account, period_days, period_start, status, requirements_met, phone_numbers_count, n)
OLD_ROWS = [
    ("a", 1, 0, "success", True, 1, 3),
    ("a", 1, 0, "success", False, 2, 4),
    ("a", 1, 0, "pending", False, 2, 5),
    ("a", 1, DAY, "failure", True, 1, 1),
    ("a", 32, 0, "success", True, 1, 3),
    ("a", 32, 0, "success", False, 2, 4),
    ("a", 32, 0, "pending", False, 2, 5),
    ("a", 32, 0, "failure", True, 1, 1),
    ("a", 1, 2 * DAY, "pending", True, 3, 0),  # a row that counts nothing
    ("b", 1, 0, "success", True, 1, 7),
    ("b", 32, 0, "success", True, 1, 7),
]


OLD_KEY = [
    "account_id",
    "period_days",
    "period_start",
    "status",
    "requirements_met",
    "phone_numbers_count",
]
NEW_KEY = [
    "account_id",
    "period_days",
    "filters",
    "status",
    "requirements_met",
    "phone_numbers_count",
    "period_start",
]


def migrate(engine: Engine, target: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
        connection.commit()


def expected_levels() -> Counter[tuple[Any, ...]]:
    expected: Counter[tuple[Any, ...]] = Counter()
    for account, days, start, status, met, count, n in OLD_ROWS:
        for level in levels(status, met, count):
            expected[(account, days, *level, start)] += n
    return +expected  # rows that count nothing are left out


def rows(engine: Engine, columns: list[str]) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT {', '.join(columns)} FROM order_period_counts")).all()
    met = columns.index("requirements_met")  # SQLite keeps booleans as integers
    return [(*row[:met], bool(row[met]), *row[met + 1 :]) for row in found]


def test_every_level_is_summed_from_full_detail_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, BEFORE)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO order_period_counts (account_id, period_days, period_start, "
                    "status, requirements_met, phone_numbers_count, n) "
                    "VALUES (:a, :d, :s, :st, :m, :c, :n)"
                ),
                [
                    dict(zip(("a", "d", "s", "st", "m", "c", "n"), row, strict=True))
                    for row in OLD_ROWS
                ],
            )
        migrate(engine, "0016p")
        found = rows(engine, [*NEW_KEY, "n"])
        assert Counter({row[:-1]: row[-1] for row in found}) == expected_levels()
        assert len(found) == len(expected_levels())

        migrate(engine, BEFORE, down=True)
        back = rows(engine, [*OLD_KEY, "n"])
        assert sorted(back) == sorted(row for row in OLD_ROWS if row[-1])
    finally:
        engine.dispose()
