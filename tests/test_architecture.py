"""The floors of model/ and the one-way rule between them, checked on the source (AST).

model/inputs → formulation → solve → outputs → report → studies → cli: a module may import
from its own floor and the floors before it, never after. No import cycles anywhere (imports
inside functions count). The registry is the only list of components.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "model"
FLOORS = ["inputs", "formulation", "solve", "outputs", "report", "studies", "cli"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute names of the model modules a file imports (any depth), with line numbers;
    ``from pkg import name`` points at the submodule pkg.name where that module exists."""
    tree = ast.parse(path.read_text())
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("model")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.startswith("model"):
                for a in node.names:
                    sub = f"{name}.{a.name}"
                    out.append((sub if sub in MODULE_NAMES else name, node.lineno))
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MODULE_NAMES = {_module_name(p) for p in MODULES}


def _floor(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    name = parts[1]
    return FLOORS.index(name) if name in FLOORS else None




def test_every_module_sits_on_a_floor():
    loose = [str(p.relative_to(ROOT)) for p in MODULES
             if _floor(_module_name(p)) is None and p.name != "__init__.py"
             and p.parent == PACKAGE and len(p.read_text().splitlines()) > 40]
    assert not loose, f"modules outside the floors: {loose}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    floor = _floor(_module_name(path))
    if floor is None:
        return
    upward = [(name, line) for name, line in _imports(path)
              if (_floor(name) or -1) > floor]
    assert not upward, f"{path.relative_to(ROOT)} imports a higher floor: {upward}"


def test_no_import_cycles():
    graph = {_module_name(p): {n for n, _ in _imports(p) if n in MODULE_NAMES} for p in MODULES}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                cycles.append(sorted(scc))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_the_registry_is_the_only_list_of_components():
    from model.formulation.registry import COMPONENTS

    names = [c.name for c in COMPONENTS]
    assert names == ["generation", "storage", "corridors", "datacentres", "compute", "policies",
                     "balance"]
    # build iterates the registry: no other module lists the component modules
    text = (PACKAGE / "formulation" / "build.py").read_text()
    assert "COMPONENTS" in text and "generation" not in text
