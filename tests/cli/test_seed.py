"""`seed`, on both engines."""

from __future__ import annotations

from pathlib import Path

from number_orders.domain.listing import ListQuery
from number_orders.domain.phone_number_listing import PhoneNumberQuery
from number_orders.server import open_store
from tests.support.cli import Cli, run_process


def test_seed_is_repeatable_for_a_given_seed(cli: Cli, database_url: str, tmp_path: Path) -> None:
    # As users run it (worker processes, one per core), then in this process alone: a seed
    # makes the same orders however the chunks are shared out.
    seed = ("seed", "--account", "acme", "--orders", "2500", "--seed", "9")
    seeded = run_process(*seed, url=database_url)
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 2500 orders" in seeded.stdout
    other = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    assert cli(*seed, "--processes", "1", url=other).returncode == 0

    first, second = open_store(database_url), open_store(other)
    try:
        query = ListQuery(page_size=250)
        a_orders, a_total = first.list_number_orders(first.ensure_account("acme").account_id, query)
        b_orders, b_total = second.list_number_orders(
            second.ensure_account("acme").account_id, query
        )
        assert a_total == b_total == 2500
        assert [o.id for o in a_orders] == [o.id for o in b_orders]
        # The orders bought the same numbers (their instants follow each run's clock).
        owned = PhoneNumberQuery(page_size=250, sort="phone_number")
        a_numbers, a_owned = first.list_phone_numbers(
            first.ensure_account("acme").account_id, owned
        )
        b_numbers, b_owned = second.list_phone_numbers(
            second.ensure_account("acme").account_id, owned
        )
        assert a_owned == b_owned > 5000
        assert [(n.id, n.phone_number, n.order_id) for n in a_numbers] == [
            (n.id, n.phone_number, n.order_id) for n in b_numbers
        ]
    finally:
        first.close()
        second.close()


def test_seeding_orders_the_account_already_holds_is_refused_in_words(
    cli: Cli, database_url: str
) -> None:
    # As after a seed that was stopped part way: its finished batches are in the store.
    seed = ("seed", "--account", "acme", "--orders", "1500", "--seed", "4", "--processes", "1")
    assert cli(*seed, url=database_url).returncode == 0
    again = cli(*seed, url=database_url)
    assert again.returncode == 1
    assert "already holds orders that this seed makes" in again.stderr
    assert "Traceback" not in again.stderr
    other_seed = cli(*seed[:-3], "5", "--processes", "1", url=database_url)
    assert other_seed.returncode == 0, other_seed.stderr
