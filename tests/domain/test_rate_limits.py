"""The rate-limit arithmetic in `domain.rate_limits`."""

from __future__ import annotations

from number_orders.domain import rate_limits


def test_windows_are_whole_minutes() -> None:
    assert rate_limits.window_start(120.0) == 120
    assert rate_limits.window_start(179.999) == 120
    assert rate_limits.seconds_to_reset(120.0) == 60
    assert rate_limits.seconds_to_reset(179.2) == 1
    assert rate_limits.seconds_to_reset(179.999) == 1


def test_leases_shrink_as_the_window_runs_out() -> None:
    assert rate_limits.lease_size(6000, 0) == rate_limits.MAX_LEASE
    assert rate_limits.lease_size(6000, 5900) == 100 // rate_limits.LEASE_SHARE
    assert rate_limits.lease_size(10, 0) == 1
    assert rate_limits.lease_size(10, 50) == 1  # always asks for one, to learn the state


def test_only_what_fits_under_the_limit_is_granted() -> None:
    assert rate_limits.granted(limit=100, wanted=10, used_after=10) == 10
    assert rate_limits.granted(limit=100, wanted=10, used_after=104) == 6
    assert rate_limits.granted(limit=100, wanted=10, used_after=110) == 0
    assert rate_limits.granted(limit=100, wanted=10, used_after=500) == 0
