"""Group commit: items queued while a group runs go in the next group together, each
caller gets its own item's answer, and a group stays within its weight."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from number_orders.storage.group_commit import GroupCommit
from number_orders.testing import wait_until


def submitted_together(
    groups: GroupCommit[int, int], items: list[int]
) -> dict[int, int | Exception]:
    """Submit `items` from one thread each, queued in this order while the turn is held,
    then let the groups run; each item's answer (its result or its exception)."""
    answers: dict[int, int | Exception] = {}

    def submit(item: int) -> None:
        try:
            answers[item] = groups.submit(item)
        except Exception as error:
            answers[item] = error

    threads = [threading.Thread(target=submit, args=(item,)) for item in items]
    with groups.turn:
        for count, thread in enumerate(threads, start=1):
            thread.start()
            wait_until(lambda count=count: groups.queued == count, timeout=10)  # type: ignore[misc]
    for thread in threads:
        thread.join()
    return answers


def recording(
    runs: list[list[int]], answer: Callable[[int], int | Exception]
) -> Callable[[Sequence[int]], list[int | Exception]]:
    def run(items: Sequence[int]) -> list[int | Exception]:
        runs.append(list(items))
        return [answer(item) for item in items]

    return run


def test_an_item_alone_runs_at_once() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: item * 10))
    assert groups.submit(4) == 40
    assert runs == [[4]] and groups.groups == 1


def test_items_queued_meanwhile_run_as_one_group_each_with_its_own_answer() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(
        recording(runs, lambda item: ValueError(f"item {item}") if item == 3 else item * 10)
    )
    answers = submitted_together(groups, [1, 2, 3, 4, 5])
    assert runs == [[1, 2, 3, 4, 5]] and groups.groups == 1
    assert {k: v for k, v in answers.items() if k != 3} == {1: 10, 2: 20, 4: 40, 5: 50}
    assert isinstance(answers[3], ValueError) and str(answers[3]) == "item 3"


def test_an_error_of_the_whole_run_is_every_callers_own_copy() -> None:
    def run(items: Sequence[int]) -> list[int | Exception]:
        raise RuntimeError("the store went away")

    answers = submitted_together(GroupCommit(run), [1, 2, 3])
    errors = list(answers.values())
    assert all(isinstance(e, RuntimeError) and str(e) == "the store went away" for e in errors)
    assert len({id(e) for e in errors}) == 3


def test_a_group_holds_at_most_its_weight_and_a_heavy_item_runs_alone() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: item), weight=lambda item: item, most=5)
    answers = submitted_together(groups, [3, 2, 1, 4, 7, 5])
    assert runs == [[3, 2], [1, 4], [7], [5]]
    assert answers == {3: 3, 2: 2, 1: 1, 4: 4, 7: 7, 5: 5}


def test_a_run_that_loses_an_item_is_an_error_for_all() -> None:
    groups: GroupCommit[int, int] = GroupCommit(lambda items: list(items)[1:])
    answers = submitted_together(groups, [1, 2])
    assert all(isinstance(e, AssertionError) for e in answers.values())


def test_many_threads_each_get_their_own_answer() -> None:
    rounds = 200
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: -item))
    answers: dict[int, int] = {}

    def submit(base: int) -> None:
        for item in range(base, base + rounds):
            answers[item] = groups.submit(item)

    threads = [threading.Thread(target=submit, args=(t * rounds,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {item: -item for item in range(8 * rounds)}
    assert sorted(item for run in runs for item in run) == list(range(8 * rounds))
