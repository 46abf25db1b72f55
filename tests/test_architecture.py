"""The directions of imports inside tal/, read from the source (ast): `tal/core` and
`tal/stats` know no area, the register (experiments) knows neither the journal nor the
evaluation, no area imports the application's composition roots, and the areas form
no cycle. Imports under `if TYPE_CHECKING:` (annotations only) do not count; imports
inside functions do."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "tal"
# Modules every area may use.
FOUNDATION = {"core", "stats", "settings", "i18n", "db", "piccolo_conf", "__init__"}
# Modules above the areas, composing them (nothing below imports them).
ROOTS = {"app", "cli", "loader", "demo"}
# The journal and the evaluation give the register what it shows through
# tal/experiments/extensions.py, and the loader (a root) saves a file's experiment then
# its journal entries.
FORBIDDEN = {("experiments", "journal"), ("experiments", "evaluation")}
KNOWN: set[tuple[str, str]] = set()


def _type_checking_only(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(n) for child in node.body for n in ast.walk(child)}
    return ids


def imports() -> dict[str, dict[str, set[str]]]:
    """module group -> imported group -> files where it happens."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in PACKAGE.rglob("*.py"):
        if "piccolo_migrations" in path.parts:
            continue
        source = path.relative_to(PACKAGE).with_suffix("").parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "tal" and len(parts) > 1 and parts[1] != source:
                    target = parts[1] if (PACKAGE / parts[1]).exists() or (PACKAGE / f"{parts[1]}.py").exists() \
                        else "__init__"
                    graph[source][target].add(str(path.relative_to(ROOT)))
    return graph


def areas() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} - FOUNDATION


def test_core_and_stats_know_no_area():
    graph = imports()
    for group in ("core", "stats"):
        wrong = {target: files for target, files in graph[group].items() if target in areas() | ROOTS}
        assert wrong == {}, f"tal/{group} imports an area: {wrong}"
    assert set(graph["stats"]) <= {"__init__"}, "tal/stats knows no database, web or area"


def test_no_area_imports_the_composition_roots():
    graph = imports()
    wrong = {(source, target) for source in areas() | FOUNDATION for target in graph[source] if target in ROOTS}
    assert wrong == set()


def test_forbidden_directions_and_area_cycles():
    graph = imports()
    edges = {(s, t) for s in areas() for t in graph[s] if t in areas()}
    assert {e for e in edges if e in FORBIDDEN} == KNOWN, "a forbidden import appeared, or a known one is gone"
    remaining = edges - KNOWN
    # Depth-first search for a cycle among areas.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for s, t in sorted(remaining):
            if s != node:
                continue
            if state.get(t) == 1:
                return trail + [node, t]
            if t not in state and (cycle := visit(t, trail + [node])):
                return cycle
        state[node] = 2
        return None

    for area in sorted(areas()):
        if area not in state:
            cycle = visit(area, [])
            assert cycle is None, f"import cycle between areas: {' -> '.join(cycle)}"
