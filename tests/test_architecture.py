"""The dependency arrows of STYLE.md, checked with ast: core <- models <- storage <- services
<- api; compliance depends on core only; only matcher/index.py imports faiss; nothing imports
api; only the demo command, evaluations and benchmarks import the demo world; and no import
circles between files (lazy imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every package of the repository (each top-level folder with an __init__.py but tests).
OURS = frozenset(init.parent.name for init in ROOT.glob("*/__init__.py")) - {"tests"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "models": {"core", "models"},
    "storage": {"core", "models", "storage"},
    "compliance": {"core", "compliance"},
    "accounts": {"core", "models", "storage", "accounts"},
    "creators": {"core", "models", "storage", "creators"},
    # outreach and programs emit webhook events: webhooks must never import them back
    "webhooks": {"core", "models", "storage", "webhooks"},
    # a pure library: the API and CLI layers call it, it knows no database or web
    "planner": {"core", "planner"},
}


# Every package of the repository, lowest layer first: a package imports only its own modules
# and those of the layers below it.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    # the tables, and the pure libraries (text in, results out)
    frozenset({"models", "compliance", "planner"}),
    frozenset({"storage"}),
    # domain services that stand on storage alone
    frozenset({"accounts", "creators", "webhooks", "migrations"}),
    frozenset({"matcher", "outreach"}),
    frozenset({"programs", "compliance_reviews"}),
    frozenset({"campaigns"}),
    frozenset({"jobs"}),
    # the front doors, and the demo world the CLI loads
    frozenset({"api", "demo"}),
    frozenset({"cli", "eval"}),
    frozenset({"bench"}),
)


def test_every_package_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    assert OURS - placed == set(), "give each new package a layer in LAYERS"
    assert sum(len(layer) for layer in LAYERS) == len(placed)  # a package in one layer only


@pytest.mark.parametrize("package", sorted(OURS))
def test_package_imports_only_from_the_layers_below(package: str) -> None:
    level = next((i for i, layer in enumerate(LAYERS) if package in layer), None)
    assert level is not None, f"{package} has no layer"
    below = set().union(*LAYERS[:level]) | {package}
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files_of(package)
        for name in sorted(imports_of(path))
        if name.split(".")[0] in OURS and name.split(".")[0] not in below
    ]
    assert bad == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_it_may(package: str) -> None:
    bad = []
    for path in files_of(package):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OURS and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


# The stage profiler times the HTTP layers (middleware, auth, routes, serialisation), so it
# drives the app itself; nothing imports it back.
API_IMPORTERS = {"bench/profile_match.py"}


def test_nothing_imports_api() -> None:
    bad = [
        f"{path.relative_to(ROOT)}"
        for package in OURS - {"api", "cli"}
        for path in files_of(package)
        if any(n.split(".")[0] == "api" for n in imports_of(path))
        and str(path.relative_to(ROOT)) not in API_IMPORTERS
    ]
    assert bad == []


def test_pages_and_routes_are_siblings() -> None:
    """The web pages and the API routes are two front doors over the same services: neither
    imports the other's modules (what both need lives in a service or in api/schemas)."""
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder, other in (("api/web", "api.routes"), ("api/routes", "api.web"))
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imports_of(path))
        if name == other or name.startswith(other + ".")
    ]
    assert bad == []


# The demo world is a fixture, not part of the product: `creatormatch demo` (cli) loads it,
# the evaluations and benchmarks measure on its roster, and nothing else may depend on it.
DEMO_IMPORTERS = {"demo", "cli", "eval", "bench"}


def test_only_the_demo_command_evaluations_and_benchmarks_import_demo() -> None:
    assert {"demo", "api", "creators", "outreach"} <= OURS  # the scan saw the product
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in sorted(OURS - DEMO_IMPORTERS)
        for path in files_of(package)
        for name in imports_of(path)
        if name.split(".")[0] == "demo"
    ]
    assert bad == []


def test_only_the_entry_points_import_jobs() -> None:
    """The scheduler sits above the services it runs: only the server's lifespan (api) and
    the command line start it."""
    bad = [
        f"{path.relative_to(ROOT)}"
        for package in OURS - {"jobs", "api", "cli"}
        for path in files_of(package)
        if any(n.split(".")[0] == "jobs" for n in imports_of(path))
    ]
    assert bad == []


# What builds SQL statements: the repositories (and the ORM models' declarations) only, apart
# from the places storage/repositories/__init__.py names with their reasons.
STATEMENTS = {"select", "update", "delete", "insert", "text"}
STATEMENT_PACKAGES = {"storage", "models", "migrations", "bench"}
STATEMENT_FILES = {"jobs/leader.py"}


def _statements_in(path: Path) -> list[str]:
    """The SQLAlchemy statement builders ``path`` imports or reaches through the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "sqlalchemy"
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [a.name for a in node.names if a.name in STATEMENTS]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in STATEMENTS
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found.append(node.attr)
    return [f"{path.relative_to(ROOT)} uses {name}" for name in found]


def test_only_storage_builds_sql_statements() -> None:
    seen = [path for package in OURS for path in files_of(package)]
    assert any(_statements_in(path) for path in files_of("storage"))  # the scan sees them
    bad = [
        hit
        for path in seen
        if path.relative_to(ROOT).parts[0] not in STATEMENT_PACKAGES
        and str(path.relative_to(ROOT)) not in STATEMENT_FILES
        for hit in _statements_in(path)
    ]
    assert bad == []


def test_pages_and_routes_call_services_not_repositories() -> None:
    """A page or a route reads the request, calls a service and renders the answer: no
    module under api/web/ or api/routes/ imports storage.repositories (every query they need
    is a service call, and the services own the domain)."""
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in ("api/web", "api/routes")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imports_of(path))
        if name == "storage.repositories" or name.startswith("storage.repositories.")
    ] + [
        f"{path.relative_to(ROOT)} imports storage.repositories"
        for folder in ("api/web", "api/routes")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
        and node.module == "storage"
        and any(alias.name == "repositories" for alias in node.names)
    ]
    assert bad == []


# The benchmark's naive anchor stands for a service someone else wrote: it builds its own
# HNSW index and must import nothing of creatormatch, so it cannot go through matcher/index.py.
FAISS_IMPORTERS = {"matcher/index.py", "bench/anchor_service.py"}


def test_only_the_index_module_imports_faiss() -> None:
    importers = {
        str(path.relative_to(ROOT))
        for package in OURS
        for path in files_of(package)
        if any(n.split(".")[0] == "faiss" for n in imports_of(path))
    }
    assert importers <= FAISS_IMPORTERS


def test_the_anchor_imports_nothing_of_ours() -> None:
    names = imports_of(ROOT / "bench" / "anchor_service.py")
    assert {n.split(".")[0] for n in names} & OURS == set()


def test_matcher_library_knows_no_database_or_web() -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files_of("matcher")
        if path.name != "service.py"
        for name in imports_of(path)
        if name.split(".")[0] in {"sqlalchemy", "fastapi", "models", "storage", "api"}
    ]
    assert bad == []


def _csv_writers_in(path: Path) -> list[str]:
    """Where ``path`` writes CSV without core/csvsafe.py: ``csv.writer``/``csv.DictWriter``
    (called or passed around) or either imported from csv."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"writer", "DictWriter"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses csv.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "csv":
            names = {alias.name for alias in node.names} & {"writer", "DictWriter", "*"}
            found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names]
    return found


def test_only_core_writes_csv() -> None:
    """Every CSV we write escapes formula cells (core/csvsafe.py): nothing else may use the csv
    module's writers. Reading CSV with csv.reader / csv.DictReader is fine."""
    product = sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0] not in {"core", "tests", ".venv", "build"}
        and not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    )
    assert any(p.parts[-2:] == ("creators", "formats.py") for p in product)
    bad = [hit for path in product for hit in _csv_writers_in(path)]
    assert bad == []


def _modules() -> dict[str, Path]:
    """Every module of the product (each top-level package of the repository), by name."""
    found: dict[str, Path] = {}
    for init in sorted(ROOT.glob("*/__init__.py")):
        package = init.parent.name
        if package == "tests":
            continue
        for path in files_of(package):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _edges(path: Path, modules: dict[str, Path], own: str) -> set[str]:
    """The modules ``path`` imports, at its top or inside a function alike (a lazy import
    is still an arrow): ``from a.b import c`` points at ``a.b.c`` when that is a module."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != own:
                targets.add(name)
                break
    return targets


def test_no_import_circles_between_files() -> None:
    """No file imports, directly or through others, a file that imports it back: the
    arrows between files run one way too (Tarjan's strongly connected components)."""
    modules = _modules()
    graph = {name: _edges(path, modules, name) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert len(modules) > 150  # the scan saw the product
    assert circles == []
