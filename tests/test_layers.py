"""The layout's rules, read from the code: imports run one way, no cycles, SQL in storage only.

Layers, from the ground up (a module may import its own layer and those below):

  0 ground     veille.model and the small shared modules (config, net, text, redact, times)
  1 storage/   the SQLite database
  2 crawler/   collecting: Scrapy, extraction, language
  3 scheduler/ what happens to new items, and when
  4 top        the command line (veille.cli), the demo (veille.demo), logging setup

The crawler never imports the scheduler: what it needs from above is passed in
when the crawl is built (scheduler/schedule/oneshot.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT

PACKAGES = ("veille", "storage", "crawler", "scheduler")
GROUND = {"veille", "veille.model", "veille.config", "veille.net", "veille.text",
          "veille.redact", "veille.times"}
LAYER_NAMES = ("ground", "storage", "crawler", "scheduler", "command line and demo")
SQL_CALLS = {"execute", "executemany", "executescript", "query"}
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "ALTER ", "DROP ")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (one of ours)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def layer(module: str) -> int:
    if module in GROUND:
        return 0
    top = module.split(".")[0]
    return {"storage": 1, "crawler": 2, "scheduler": 3}.get(top, 4)


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every import of one of our modules, wherever it stands (top level, inside a
    function, under TYPE_CHECKING): all of them must follow the rules."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from a import b` imports the module a.b when there is one
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                     else node.module for a in node.names]
        for name in names:
            if name in known:
                found.append(Import(module, name, node.lineno))
    return found


def all_imports() -> list[Import]:
    modules = our_modules()
    return [imp for name, path in modules.items() for imp in imports_of(name, path, set(modules))]


def test_imports_run_one_way():
    wrong = [f"{imp.module} (line {imp.line}) imports {imp.target}: a "
             f"{LAYER_NAMES[layer(imp.module)]} module may not import the "
             f"{LAYER_NAMES[layer(imp.target)]}"
             for imp in all_imports() if layer(imp.target) > layer(imp.module)]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_crawler_never_names_the_scheduler():
    """Not even in a string (Scrapy settings name components by dotted path)."""
    named = [f"{name}: {node.value!r}" for name, path in our_modules().items()
             if name.startswith("crawler")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value.startswith("scheduler.")]
    assert not named, "\n".join(named)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for imp in all_imports():
        if imp.target != imp.module:
            graph.setdefault(imp.module, set()).add(imp.target)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_sql_lives_in_storage_only():
    found = []
    for name, path in our_modules().items():
        if name.startswith("storage"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_CALLS):
                found.append(f"{name} line {node.lineno}: .{node.func.attr}(...)")
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.lstrip().startswith(SQL_WORDS)):
                found.append(f"{name} line {node.lineno}: SQL text {node.value[:40]!r}")
    assert not found, "SQL outside storage/:\n" + "\n".join(found)
