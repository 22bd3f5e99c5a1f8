"""The reservations migration on SQLite and PostgreSQL: what orders held (`reserved` until
then) becomes `pending`, and the way back frees reservations and restores the old word."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

import number_orders.storage
from number_orders.storage.database import make_engine

MIGRATIONS = Path(number_orders.storage.__file__).parent / "migrations"
# The revision just before this one, wherever the chain puts it.
BEFORE = str(ScriptDirectory(str(MIGRATIONS)).get_revision("0007r").down_revision)


def migrate(engine: Engine, target: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
        connection.commit()


def states(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT phone_number, state FROM number_holdings")).all()
    return {p: s for p, s in rows}


def test_orders_holds_become_pending_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, BEFORE)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO number_holdings (phone_number, account_id, order_id, state,"
                    " updated_at) VALUES ('+13125550101', 'a', 'o-1', 'reserved', 1),"
                    " ('+13125550102', 'a', 'o-2', 'owned', 1)"
                )
            )
        migrate(engine, "head")
        assert states(engine) == {"+13125550101": "pending", "+13125550102": "owned"}
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO number_holdings (phone_number, account_id, reservation_id,"
                    " expires_at, state, updated_at)"
                    " VALUES ('+13125550103', 'a', 'r-1', 5, 'reserved', 1)"
                )
            )
        migrate(engine, BEFORE, down=True)
        assert states(engine) == {"+13125550101": "reserved", "+13125550102": "owned"}
    finally:
        engine.dispose()
