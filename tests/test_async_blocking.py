"""Nothing blocks the event loop: no ``async def`` of the product makes a synchronous
database, file, network or sleep call. Those run in the threadpool (``run_in_threadpool``,
``anyio.to_thread.run_sync``) or in a plain ``def`` route, which FastAPI runs there.

The check reads every ``async def`` (not the plain functions defined inside it, which are
what gets handed to the threadpool) and flags a call that is not awaited when it is:
a database call (``.session()``, ``.execute()``, ``.scalar()``, ``.commit()``, ...), a
repository or service object, a file call (``open()``, ``.read_text()``, ``.write()``, ...),
``time.sleep``, ``subprocess``, ``socket``, ``smtplib`` or a synchronous HTTP client. ruff's
ASYNC rules (pyproject.toml) catch more of the standard library's blocking calls.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(
    p.name
    for p in ROOT.iterdir()
    if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"tests", "migrations"}
)

# Methods that block whatever object they are called on (database and file work).
BLOCKING_METHODS = frozenset(
    {
        # SQLAlchemy sessions, connections and engines, and our Database
        "session",
        "execute",
        "scalar",
        "scalars",
        "scalar_one",
        "scalar_one_or_none",
        "commit",
        "flush",
        "rollback",
        "refresh",
        "merge",
        "ping",
        "dispose",
        # files and paths
        "read_text",
        "write_text",
        "read_bytes",
        "write_bytes",
        "mkdir",
        "unlink",
        "rmdir",
        "touch",
        "iterdir",
        "glob",
        "stat",
        "write",
        "readline",
        "readlines",
        "seek",
        "truncate",
        "fsync",
    }
)
# Modules whose functions block.
BLOCKING_MODULES = frozenset({"time", "subprocess", "socket", "smtplib", "shutil", "requests"})
BLOCKING_MODULE_CALLS = {"time": {"sleep"}, "os": {"replace", "remove", "fsync", "makedirs"}}
BLOCKING_NAMES = frozenset({"open", "sleep"})


def _files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _async_bodies(tree: ast.AST) -> Iterator[ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef):
            yield node


def _calls_outside_nested_defs(function: ast.AsyncFunctionDef) -> Iterator[tuple[ast.Call, bool]]:
    """Every call in ``function``'s body with whether it is awaited, not descending into
    nested (sync or async) functions, lambdas or classes."""
    awaited: set[int] = set()

    def visit(current: ast.AST) -> Iterator[tuple[ast.Call, bool]]:
        for child in ast.iter_child_nodes(current):
            if isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
            ):
                continue
            if isinstance(child, ast.Await) and isinstance(child.value, ast.Call):
                awaited.add(id(child.value))
            if isinstance(child, ast.Call):
                yield child, id(child) in awaited
            yield from visit(child)

    for statement in function.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from visit(ast.Module(body=[statement], type_ignores=[]))


def _dotted(func: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        parts.extend(reversed(_dotted(func.func)))
    return list(reversed(parts))


def _blocking(call: ast.Call) -> str | None:
    dotted = _dotted(call.func)
    if not dotted:
        return None
    name = dotted[-1]
    if len(dotted) == 1:
        if name in BLOCKING_NAMES:
            return f"{name}()"
        if name.endswith(("Repository", "Service")):
            return f"{name}(...) (its methods use the database)"
        return None
    root = dotted[0]
    if root in BLOCKING_MODULES and (
        root not in BLOCKING_MODULE_CALLS or name in BLOCKING_MODULE_CALLS[root]
    ):
        return ".".join(dotted)
    if root in BLOCKING_MODULE_CALLS and name in BLOCKING_MODULE_CALLS[root]:
        return ".".join(dotted)
    if any(part.endswith(("Repository", "Service")) for part in dotted[:-1]):
        return ".".join(dotted)
    if root == "httpx" and name in {"Client", "get", "post", "put", "patch", "delete", "request"}:
        return ".".join(dotted)
    if name in BLOCKING_METHODS:
        return "." + name + "()"
    return None


def _findings() -> list[str]:
    found: list[str] = []
    for path in _files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for function in _async_bodies(tree):
            for call, is_awaited in _calls_outside_nested_defs(function):
                if is_awaited:
                    continue
                what = _blocking(call)
                if what is not None:
                    relative = path.relative_to(ROOT)
                    found.append(f"{relative}:{call.lineno} in async def {function.name}: {what}")
    return found


def test_no_async_def_makes_a_blocking_call() -> None:
    findings = _findings()
    assert not findings, "blocking calls in async code:\n" + "\n".join(findings)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("async def f(db):\n    with db.session() as s:\n        s.execute(x)\n", True),
        ("async def f(p):\n    return p.read_text()\n", True),
        ("async def f():\n    time.sleep(1)\n", True),
        ("async def f(s):\n    UserRepository(s).get(1)\n", True),
        ("async def f(spool, chunk):\n    spool.write(chunk)\n", True),
        ("async def f():\n    open('x')\n", True),
        ("async def f(upload):\n    return await upload.read(10)\n", False),
        ("async def f(db):\n    def work():\n        db.session()\n    await run(work)\n", False),
        ("async def f(x):\n    return x.get('a')\n", False),
        ("async def f():\n    await anyio.to_thread.run_sync(g)\n", False),
    ],
)
def test_the_check_tells_blocking_from_safe_calls(source: str, expected: bool) -> None:
    function = next(_async_bodies(ast.parse(source)))
    flagged = [
        _blocking(call)
        for call, awaited in _calls_outside_nested_defs(function)
        if not awaited and _blocking(call) is not None
    ]
    assert bool(flagged) is expected, flagged
