"""Group commit awaited on an event loop: coroutines queue beside threads, the group runs
on the group commit's own thread, and each caller hears of its item only once its group's
run has returned."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

from number_orders.storage.group_commit import GroupCommit
from tests.storage.test_group_commit import recording


async def queued(groups: GroupCommit[int, int], count: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while groups.queued != count:
        assert time.monotonic() < deadline, f"{groups.queued} queued, not {count}"
        await asyncio.sleep(0.001)


def awaited_together(groups: GroupCommit[int, int], items: list[int]) -> dict[int, int | Exception]:
    """Submit `items` from one coroutine each on one loop, queued in this order while the
    turn is held, then let the groups run; each item's answer."""
    answers: dict[int, int | Exception] = {}

    async def submit(item: int) -> None:
        try:
            answers[item] = await groups.submit_async(item)
        except Exception as error:
            answers[item] = error

    async def main() -> None:
        tasks = []
        with groups.turn:
            for count, item in enumerate(items, start=1):
                tasks.append(asyncio.create_task(submit(item)))
                await queued(groups, count)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    return answers


def test_an_item_alone_runs_at_once_on_the_group_commits_thread() -> None:
    ran_on: list[str] = []

    def run(items: Sequence[int]) -> list[int | Exception]:
        ran_on.append(threading.current_thread().name)
        return [item * 10 for item in items]

    groups = GroupCommit(run)
    assert asyncio.run(groups.submit_async(4)) == 40
    assert groups.groups == 1
    assert ran_on[0].startswith("group-commit") and ran_on[0] != threading.current_thread().name


def test_coroutines_queued_meanwhile_run_as_one_group_each_with_its_own_answer() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(
        recording(runs, lambda item: ValueError(f"item {item}") if item == 3 else item * 10)
    )
    answers = awaited_together(groups, [1, 2, 3, 4, 5])
    assert runs == [[1, 2, 3, 4, 5]] and groups.groups == 1
    assert {k: v for k, v in answers.items() if k != 3} == {1: 10, 2: 20, 4: 40, 5: 50}
    assert isinstance(answers[3], ValueError) and str(answers[3]) == "item 3"


def test_an_error_of_the_whole_run_is_every_coroutines_own_copy() -> None:
    def run(items: Sequence[int]) -> list[int | Exception]:
        raise RuntimeError("the store went away")

    answers = awaited_together(GroupCommit(run), [1, 2, 3])
    errors = list(answers.values())
    assert all(isinstance(e, RuntimeError) and str(e) == "the store went away" for e in errors)
    assert len({id(e) for e in errors}) == 3


def test_groups_keep_their_weight_when_awaited() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: item), weight=lambda item: item, most=5)
    answers = awaited_together(groups, [3, 2, 1, 4, 7, 5])
    assert runs == [[3, 2], [1, 4], [7], [5]]
    assert answers == {3: 3, 2: 2, 1: 1, 4: 4, 7: 7, 5: 5}


def test_a_coroutine_hears_nothing_until_its_groups_run_has_returned() -> None:
    release = threading.Event()

    def run(items: Sequence[int]) -> list[int | Exception]:
        release.wait(10)
        return list(items)

    groups = GroupCommit(run)

    async def main() -> None:
        task = asyncio.create_task(groups.submit_async(7))
        await asyncio.sleep(0.2)
        assert not task.done()  # the run has not returned: no answer yet
        release.set()
        assert await task == 7

    asyncio.run(main())


def test_threads_and_coroutines_share_groups_and_each_gets_its_own_answer() -> None:
    rounds = 150
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: -item))
    answers: dict[int, int] = {}

    def from_thread(base: int) -> None:
        for item in range(base, base + rounds):
            answers[item] = groups.submit(item)

    async def from_coroutine(base: int) -> None:
        for item in range(base, base + rounds):
            answers[item] = await groups.submit_async(item)

    async def coroutines() -> None:
        await asyncio.gather(*(from_coroutine((4 + c) * rounds) for c in range(8)))

    threads = [threading.Thread(target=from_thread, args=(t * rounds,)) for t in range(4)]
    threads.append(threading.Thread(target=asyncio.run, args=(coroutines(),)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {item: -item for item in range(12 * rounds)}
    assert sorted(item for run in runs for item in run) == list(range(12 * rounds))
    assert groups.groups < 12 * rounds  # some items shared a group


def test_a_thread_queued_behind_coroutines_is_answered_by_their_group() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: item + 100))
    answers: dict[int, int | Exception] = {}

    async def main() -> None:
        with groups.turn:
            first = asyncio.create_task(groups.submit_async(1))
            await queued(groups, 1)
            thread = threading.Thread(target=lambda: answers.update({2: groups.submit(2)}))
            thread.start()
            await queued(groups, 2)
        answers[1] = await first
        await asyncio.to_thread(thread.join)

    asyncio.run(main())
    assert answers == {1: 101, 2: 102} and runs == [[1, 2]]


def test_a_coroutine_queued_behind_a_threads_group_leads_the_next_one() -> None:
    runs: list[list[int]] = []
    groups = GroupCommit(recording(runs, lambda item: item + 100), most=1)
    answers: dict[int, int | Exception] = {}

    async def main() -> None:
        with groups.turn:
            thread = threading.Thread(target=lambda: answers.update({1: groups.submit(1)}))
            thread.start()
            await queued(groups, 1)
            second = asyncio.create_task(groups.submit_async(2))
            await queued(groups, 2)
        answers[2] = await second
        await asyncio.to_thread(thread.join)

    asyncio.run(main())
    assert answers == {1: 101, 2: 102} and runs == [[1], [2]]
