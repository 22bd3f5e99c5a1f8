"""`keys create`, `keys list` and `keys revoke`, on both engines."""

from __future__ import annotations

import re

from tests.support.cli import Cli


def test_keys_create_prints_the_key_last_then_list_and_revoke(cli: Cli, database_url: str) -> None:
    created = cli("keys", "create", "--account", "acme", url=database_url)
    assert created.returncode == 0, created.stderr
    key = created.stdout.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"KEY[0-9a-f]{32}_[A-Za-z0-9_-]{43}", key)
    key_id = key[3:35]
    listed = cli("keys", "list", "--account", "acme", url=database_url)
    assert key_id in listed.stdout and "active" in listed.stdout
    assert key not in listed.stdout
    assert cli("keys", "revoke", key_id, url=database_url).returncode == 0
    assert "revoked" in cli("keys", "list", "--account", "acme", url=database_url).stdout
    assert cli("keys", "revoke", key_id, url=database_url).returncode == 1
    assert cli("keys", "list", "--account", "nobody", url=database_url).returncode == 1
