"""Requirement deadlines, as a worker step: pending numbers whose order's deadline has
passed fail and are freed, a small batch of orders at a time, each batch in one
transaction with the orders' counts and events. The queue is the deadline index of
pending orders, so a step reads only due orders; any number of workers may run it (an
order another worker holds is skipped)."""

from __future__ import annotations

from number_orders.service import FulfilledOrder, NumberOrdersService

BATCH = 50


def fail_overdue_orders(service: NumberOrdersService) -> list[FulfilledOrder]:
    """Up to `BATCH` orders past their deadline, their pending numbers failed (`BATCH`
    of them means more may be due)."""
    return service.fail_overdue_orders(BATCH)
