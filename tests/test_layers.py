"""Dependencies point one way: every module's imports, read from its source, stay inside
what its layer may use (docs/ARCHITECTURE.md, "Layers").

    cli -> server -> http -> service -> storage interface -> domain
                  -> worker -> service
    cli -> seed -> service;  storage -> domain;  config -> domain
    testing (the pytest plugin and its server) -> config: it runs the server as a process

The domain imports no I/O library, and no layer above the service reaches the store but
through it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "number_orders"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE

# The package and `python -m number_orders` only start the command line.
ENTRY = ("number_orders", "number_orders.__main__")
# Each layer, by the module prefix that places a module in it (longest prefix wins).
LAYERS = {
    "number_orders.testing": "testing",
    "number_orders.pytest_plugin": "testing",
    "number_orders.cli": "cli",
    "number_orders.server": "server",
    "number_orders.http": "http",
    "number_orders.worker": "worker",
    "number_orders.seed": "seed",
    "number_orders.service": "service",
    "number_orders.storage": "storage",
    "number_orders.config": "config",
    "number_orders.domain": "domain",
    "number_orders.errors": "domain",
}
# What each layer may import from the package, by module prefix. `number_orders.storage`
# itself is the interface (it re-exports `storage.interface` and nothing else).
INTERFACE = "number_orders.storage.interface"
DOMAIN = ("number_orders.domain", "number_orders.errors")
MAY_IMPORT = {
    # The package reseeds the shared id source in forked children (`domain.ids`).
    "entry": ("number_orders.cli", "number_orders.domain.ids"),
    # Helpers for test suites: they run the server as a process, through its settings.
    "testing": ("number_orders.testing", "number_orders.config", *DOMAIN),
    "cli": ("number_orders.cli", "number_orders.server", "number_orders.seed",
            "number_orders.service", "number_orders.config", *DOMAIN),
    "server": ("number_orders.server", "number_orders.http", "number_orders.worker",
               "number_orders.service", "number_orders.storage", "number_orders.config", *DOMAIN),
    "http": ("number_orders.http", "number_orders.service", "number_orders.config", *DOMAIN),
    "worker": ("number_orders.worker", "number_orders.service", "number_orders.config", *DOMAIN),
    # The row maker makes rows in the store's shape: the tally key and the tally periods.
    "seed": ("number_orders.seed", "number_orders.service", INTERFACE,
             "number_orders.storage.periods", "number_orders.config", *DOMAIN),
    "service": ("number_orders.service", INTERFACE, *DOMAIN),
    "storage": ("number_orders.storage", *DOMAIN),
    "config": ("number_orders.config", *DOMAIN),
    "domain": DOMAIN,
}  # fmt: skip
# Known exceptions, each with its reason; the test fails once one is no longer needed.
EXCEPTIONS: set[tuple[str, str]] = set()
_CLIENT_AND_SQL = {"sqlalchemy", "alembic", "psycopg", "starlette", "uvicorn", "httpx"}
# Libraries a layer must not import at all.
FORBIDDEN_LIBRARIES = {
    "domain": _CLIENT_AND_SQL
    | {"prometheus_client", "yaml", "logging", "os", "sys", "io", "pathlib", "shutil"}
    | {"tempfile", "socket", "subprocess", "signal", "select", "fcntl", "sqlite3"}
    | {"threading", "multiprocessing", "asyncio", "concurrent", "http", "urllib.request"},
    "service": _CLIENT_AND_SQL,
    "cli": _CLIENT_AND_SQL,
    "http": {"sqlalchemy", "alembic", "psycopg"},
    "worker": {"sqlalchemy", "alembic", "psycopg", "starlette", "uvicorn"},
}
# Layers that must reach the store only through the service: no `.store` anywhere in them.
THROUGH_THE_SERVICE = {"cli", "http", "worker", "seed", "testing"}


@dataclass(frozen=True)
class Violation:
    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def layer_of(module: str) -> str | None:
    if module in ENTRY:
        return "entry"
    prefixes = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    return LAYERS[max(prefixes, key=len)] if prefixes else None


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def all_modules() -> list[Module]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE.parent).with_suffix("")
        is_package = relative.name == "__init__"
        parts = relative.parts[:-1] if is_package else relative.parts
        if "migrations" not in parts:  # Alembic's scripts, run by Alembic alone
            found.append(Module(".".join(parts), path, is_package))
    return found


MODULE_NAMES = frozenset(m.name for m in all_modules())


def imports_of(module: str, tree: ast.AST, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import, relative ones resolved; `from P import N`
    names the submodule P.N when there is one, else P."""
    package = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield node.lineno, submodule if submodule in MODULE_NAMES else base


def violations_in(
    module: str, source: str, where: str, is_package: bool = False
) -> list[Violation]:
    layer = layer_of(module)
    if layer is None:
        return [Violation(where, 1, f"{module} belongs to no layer; place it in LAYERS")]
    tree = ast.parse(source)
    found = []
    for line, imported in imports_of(module, tree, is_package):
        if imported == PACKAGE + ".storage":
            imported = INTERFACE
        if imported == PACKAGE or imported.startswith(PACKAGE + "."):
            allowed = MAY_IMPORT[layer]
            inside = any(imported == p or imported.startswith(p + ".") for p in allowed)
            if not inside and (module, imported) not in EXCEPTIONS:
                layer_there = layer_of(imported) or "no layer"
                found.append(Violation(where, line, f"{layer} imports {imported} ({layer_there})"))
            continue
        top = imported.split(".")[0]
        forbidden = FORBIDDEN_LIBRARIES.get(layer, set())
        if top in forbidden or imported in forbidden:
            found.append(Violation(where, line, f"{layer} imports the library {imported}"))
    if layer in THROUGH_THE_SERVICE:
        found += [
            Violation(where, node.lineno, f"{layer} reaches the store (.store) around the service")
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "store"
        ]
    return sorted(set(found), key=lambda v: (v.line, v.what))


def test_every_layer_imports_only_downward() -> None:
    violations = [
        str(v)
        for m in all_modules()
        for v in violations_in(
            m.name, m.path.read_text(), str(m.path.relative_to(SOURCE.parent)), m.is_package
        )
    ]
    assert not violations, "imports against the layers:\n" + "\n".join(violations)


def test_every_exception_is_still_needed() -> None:
    imports = {
        (m.name, imported)
        for m in all_modules()
        for _, imported in imports_of(m.name, ast.parse(m.path.read_text()), m.is_package)
    }
    assert imports >= EXCEPTIONS, f"no longer needed: {EXCEPTIONS - imports}"


def test_the_top_level_stays_small() -> None:
    top = sorted(p.name for p in SOURCE.glob("*.py"))
    assert len(top) <= 9, top


@pytest.mark.parametrize(
    ("module", "source", "complaint"),
    [
        ("number_orders.domain.x", "import sqlalchemy", "domain imports the library sqlalchemy"),
        ("number_orders.domain.x", "from os import path", "domain imports the library os"),
        (
            "number_orders.domain.x",
            "from number_orders.service import NumberOrdersService",
            "domain imports number_orders.service (service)",
        ),
        (
            "number_orders.service.x",
            "from number_orders.storage.sql_store import SqlStore",
            "service imports number_orders.storage.sql_store (storage)",
        ),
        (
            "number_orders.storage.x",
            "from ..http import app",
            "storage imports number_orders.http.app (http)",
        ),
        (
            "number_orders.cli.x",
            "def f(service):\n    service.store.close()",
            "cli reaches the store (.store) around the service",
        ),
        ("number_orders.newcomer", "", "number_orders.newcomer belongs to no layer"),
    ],
)
def test_the_check_names_each_kind_of_violation(module: str, source: str, complaint: str) -> None:
    [violation] = violations_in(module, source, "x.py")
    assert complaint in str(violation)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("number_orders.service.x", "from number_orders.storage import Store"),
        ("number_orders.http.x", "from number_orders.service import NumberOrdersService"),
        ("number_orders.server", "from number_orders.storage.sql_store import SqlStore"),
        ("number_orders.domain.x", "import uuid\nfrom urllib.parse import urlsplit"),
    ],
)
def test_downward_imports_pass(module: str, source: str) -> None:
    assert violations_in(module, source, "x.py") == []
