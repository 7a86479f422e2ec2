"""The import rules docs/architecture.md promises, checked on the source.

Why a test: the layers (pages → state → api/realtime → live → services → database) and the
absence of import circles were reached by refactoring; nothing kept them. Each rule here
reads the code with ``ast`` (no module is imported), counts every import — also those inside
functions, which is where circles usually hide — except ``if TYPE_CHECKING:`` blocks, which
never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "preppal"

# Top floor first: a part may import only parts listed after it. Sub-packages are judged by
# their first name under preppal/ (``preppal.services.feedback.jobs`` is ``services``).
LAYERS = (
    "preppal",  # preppal/preppal.py, the app: builds the per-process context, wires all
    "cli",
    "doctor",
    "tasks",
    "pages",
    "components",
    "state",
    "api",
    "realtime",
    "live",
    "process_context",
    "services",
    "speech",
    "rubric",
    "db",
    "display",
    "unfinished",
    "models",
    "patience",
    "gemini_status",
    "languages",
    "editor",
    "routes",
    "codes",
    "settings",
    "loop_watchdog",
    "loop_clocks",
    "__init__",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["preppal", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _own(name: str) -> str | None:
    """The module of ours that ``import name`` loads, or None for a library."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (n for n in child.orelse for n in [n, *walk(n)])
                continue
            yield child
            yield from walk(child)

    for node in walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` loads pkg.sub when it is a module of ours.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            own = _own(name)
            if own and own != module:
                yield own


GRAPH = {module: set(_imports(module, path)) for module, path in MODULES.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in GRAPH:
        if start in index:
            continue
        work = [(start, iter(sorted(GRAPH[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(GRAPH[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_the_reader_sees_our_imports() -> None:
    """Guards the rules below against passing on an empty or misread graph: a plain, a
    relative-package and a function-level import (cli's commands import lazily) are seen."""
    assert len(MODULES) > 100
    assert "preppal.live.base" in GRAPH["preppal.realtime.session"]
    assert "preppal.services.interviews.transcripts" in GRAPH["preppal.realtime.session"]
    assert "preppal.services.analysis.speech_delivery" in GRAPH["preppal.cli"]


def test_a_circle_would_be_seen() -> None:
    saved = set(GRAPH["preppal.display"])
    GRAPH["preppal.display"].add("preppal.pages.meeting")  # which imports display
    try:
        assert any({"preppal.display", "preppal.pages.meeting"} <= set(g) for g in _circles())
    finally:
        GRAPH["preppal.display"] = saved


def test_no_import_circle() -> None:
    assert _circles() == []


def test_imports_point_down_the_layers() -> None:
    unknown = {_part(m) for m in MODULES} - set(LAYERS)
    assert not unknown, f"add {sorted(unknown)} to LAYERS at its floor"
    upward = sorted(
        f"{module} imports {dep}"
        for module, deps in GRAPH.items()
        for dep in deps
        if _part(module) != _part(dep) and LAYERS.index(_part(dep)) < LAYERS.index(_part(module))
    )
    assert upward == []
