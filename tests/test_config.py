"""Settings from the environment, and back."""

from __future__ import annotations

from number_orders.config import Settings


def test_webhook_settings_come_from_the_environment_and_survive_to_env() -> None:
    settings = Settings.from_env(
        {"NUMBER_ORDERS_WEBHOOK_MAX_ATTEMPTS": "3", "NUMBER_ORDERS_WEBHOOK_TIMEOUT": "2.5"}
    )
    assert (settings.webhook_max_attempts, settings.webhook_timeout) == (3, 2.5)
    assert Settings.from_env(settings.to_env()) == settings
