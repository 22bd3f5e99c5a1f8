"""The pytest plugin as another project uses it: the README's example suite, copied as it
stands into a project of its own and run by a separate pytest process that finds the
plugin through its `pytest11` entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from number_orders.pytest_plugin import DATABASE_OPTION

README = Path(__file__).resolve().parent.parent / "README.md"

pytestmark = pytest.mark.xdist_group("plugin")


def readme_example() -> str:
    """The first Python block of the README's "Testing your integration"."""
    section = README.read_text().split("## Testing your integration", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README has no example under Testing your integration"
    return found.group(1)


def test_the_readme_example_passes_against_the_installed_plugin(
    pytester: pytest.Pytester, database_url: str
) -> None:
    pytester.makepyfile(test_integration=readme_example())
    args = ["-p", "no:cacheprovider", "-v"]
    if database_url.startswith("postgresql"):  # on SQLite, the plugin's own temporary file
        args += [DATABASE_OPTION, database_url]
    result = pytester.runpytest_subprocess(*args, timeout=180)
    print("\n".join(result.outlines))  # shown with -s: the example's own report
    result.assert_outcomes(passed=3)


def test_the_client_fixture_says_what_is_missing_without_telnyx(
    pytester: pytest.Pytester,
) -> None:
    # This project has no official client: its import fails, as when it is not installed.
    pytester.makeconftest("import sys\nsys.modules['telnyx'] = None\n")
    pytester.makepyfile(
        test_client="def test_client(telnyx_client):\n    pass\n",
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*telnyx_client fixture needs the official Telnyx client*"])
