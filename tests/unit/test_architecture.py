"""The layout's rules that import-linter does not state: no import cycles (imports inside
functions count; ``TYPE_CHECKING`` ones do not), small files, short lines."""

from __future__ import annotations

from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")  # installed with import-linter (dev)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("qa", "ingest", "eval", "ui", "bench")
MAX_LINES = 500
MAX_WIDTH = 120


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def test_strongly_connected_finds_a_circle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    g = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    graph = {m: set(g.find_modules_directly_imported_by(m)) for m in g.modules}
    assert strongly_connected(graph) == []


def source_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for pkg in (*PACKAGES, "tests"):
        files += sorted((ROOT / pkg).rglob("*.py"))
    return files


def test_files_are_small_and_lines_short() -> None:
    long_files, wide = [], []
    for path in source_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_LINES:
            long_files.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
        wide += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(lines, 1) if len(line) > MAX_WIDTH]
    assert long_files == []
    assert wide == []
