"""The shape of the code, checked from its source: module sizes, a small spine, no import
circles (module-level or hidden in a function), doors that never reach for the database,
role checks only in the authorisation module, and tests that share code only through
tests/support/."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "atelier"
MAX_LINES = 600
SPINE = PACKAGE / "studio" / "spine.py"
MAX_SPINE_LINES = 400
AUTHZ = PACKAGE / "accounts" / "authz.py"
DOORS = (PACKAGE / "web", PACKAGE / "cli")
TESTS = SRC.parent / "tests"
BENCHMARKS = SRC.parent / "benchmarks"


def modules() -> dict[str, Path]:
    """Every module under src/atelier by dotted name (a package by its __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project's modules `name` imports anywhere in its body, functions included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:
                    yield target  # `from package import module`
                elif base in known:
                    yield base


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {t for t in imported(name, path, known) if t != name} for name, path in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle_hidden_in_a_function() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_is_over_600_lines_and_the_spine_is_small() -> None:
    sizes = {name: len(p.read_text().splitlines()) for name, p in modules().items()}
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}
    assert len(SPINE.read_text().splitlines()) <= MAX_SPINE_LINES


def test_no_import_circles() -> None:
    assert cycles(graph()) == []


def _door_files() -> Iterator[Path]:
    for folder in DOORS:
        yield from sorted(folder.rglob("*.py"))


def test_doors_never_touch_the_database() -> None:
    """Web and CLI modules call the studio's services: no `atelier.store.db`, no `.db`,
    no `.transaction()`, no sessions."""
    reached = []
    for path in _door_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("atelier.store.db", "sqlalchemy.orm")
            ):
                reached.append(f"{path.name}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import) and any(
                a.name.startswith("atelier.store.db") for a in node.names
            ):
                reached.append(f"{path.name}:{node.lineno} imports atelier.store.db")
            elif isinstance(node, ast.Attribute) and node.attr in ("db", "transaction"):
                reached.append(f"{path.name}:{node.lineno} uses .{node.attr}")
    assert reached == []


def _role_checks(path: Path) -> Iterator[str]:
    """`x.role == "admin"` / `!=` (either way round): a role compared outside authz."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        role = any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides)
        admin = any(isinstance(s, ast.Constant) and s.value == "admin" for s in sides)
        if role and admin:
            yield f"{path.relative_to(SRC)}:{node.lineno}"


def test_roles_are_checked_only_in_authz() -> None:
    found = [hit for path in modules().values() if path != AUTHZ for hit in _role_checks(path)]
    assert found == []


def _test_code_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Each module of tests/ that `path` imports, anywhere in its body, functions included
    (and by name through importlib.import_module)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names = [base] if base != "tests" else [f"tests.{a.name}" for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func).endswith("import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        yield from ((node.lineno, name) for name in names if name.startswith("tests."))


def test_test_modules_share_code_only_through_tests_support() -> None:
    """No module of tests/ or benchmarks/ imports a test module or conftest: what they
    share lives in tests/support/ (conftest's fixtures reach the tests through pytest)."""
    found = [
        f"{path.relative_to(SRC.parent)}:{line} imports {name}"
        for path in sorted([*TESTS.rglob("*.py"), *BENCHMARKS.rglob("*.py")])
        for line, name in _test_code_imports(path)
        if not name.startswith("tests.support")
    ]
    assert found == []


def test_conftest_holds_only_fixtures_and_hooks() -> None:
    """Every function in conftest.py is a fixture or a `pytest_` hook, and it has no other
    top-level names than `pytest_plugins` (plain helpers and constants go to tests/support/)."""
    tree = ast.parse((TESTS / "conftest.py").read_text())
    others = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            fixture = any("pytest.fixture" in ast.unparse(d) for d in node.decorator_list)
            if not fixture and not node.name.startswith("pytest_"):
                others.append(node.name)
        elif isinstance(node, ast.ClassDef):
            others.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            others += [ast.unparse(t) for t in targets if ast.unparse(t) != "pytest_plugins"]
    assert others == []
