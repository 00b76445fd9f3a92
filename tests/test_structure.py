"""The shape of the package: no import circle among zoo's modules, and no source file under zoo/ over 400 lines.

The import walk reads the source with `ast` (nothing is run) and counts every import a module can execute:
at module level, in class bodies, if/try blocks, and deferred inside functions. Importing `a.b.c` also
imports the packages `a` and `a.b` (Python runs their `__init__.py` first), so those count too, except a
module's own enclosing packages: Python has started them before the module runs, which is why
`zoo/models/__init__.py` importing `zoo.models.causal_lm` is no circle, while `zoo.models.backbone` importing
`zoo.convert.x` runs `zoo/convert/__init__.py` and everything that imports.
"""

import ast
import collections
import pathlib

ZOO = pathlib.Path(__file__).resolve().parents[1] / "zoo"
MAX_LINES = 400


def module_files(package_dir):
    """{module name: path} for every `*.py` of the package at `package_dir`."""
    files = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _known(name, files):
    """The module `name` stands for: itself, or its longest prefix that is a module (`zoo.models.X` -> `zoo.models`)."""
    while name and name not in files:
        name = name.rpartition(".")[0]
    return name


def _explicit_targets(node, module, is_package, files):
    """The modules of the package an import statement names."""
    if isinstance(node, ast.Import):
        return [_known(alias.name, files) for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: `from . import x` inside `a.b.c` (or inside the package `a.b`) means `a.b`
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    # `from base import x`: x is a submodule, or a name that base's __init__ (or base itself) defines.
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else _known(base, files) for alias in node.names]


def import_edges(files):
    """{module: {imported module: "path:line"}} inside the package, including the implicit package imports."""
    root = files[min(files, key=len)].parent.parent  # the directory holding the top-level package
    edges = {module: {} for module in files}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        enclosing = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            where = f"{path.relative_to(root)}:{node.lineno}"
            for target in _explicit_targets(node, module, is_package, files):
                parts = target.split(".")
                implicit = [".".join(parts[:i]) for i in range(1, len(parts))]  # the packages Python runs first
                for imported in [target] + [name for name in implicit if name not in enclosing]:
                    if imported and imported != module:
                        edges[module].setdefault(imported, where)
    return edges


def find_circles(edges):
    """One shortest circle `[a, b, ..., a]` for each group of modules that import each other."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    circles = []
    for group in groups:
        start = min(group)
        parents, queue = {start: None}, collections.deque([start])
        while queue:  # breadth-first inside the group, until an edge leads back to `start`
            v = queue.popleft()
            if start in edges[v]:
                path = [v]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                circles.append(path[::-1] + [start])
                break
            for w in sorted(edges[v]):
                if w in group and w not in parents:
                    parents[w] = v
                    queue.append(w)
    return circles


def describe(circle, edges):
    return " -> ".join(f"{a} ({edges[a][b]})" for a, b in zip(circle, circle[1:])) + f" -> {circle[-1]}"


def test_no_module_of_zoo_imports_a_module_that_imports_it_back():
    edges = import_edges(module_files(ZOO))
    circles = [describe(circle, edges) for circle in find_circles(edges)]
    assert not circles, "import circle(s), each edge with the line that imports:\n" + "\n".join(circles)


def write_package(root, sources):
    for name, source in sources.items():
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / "pkg"


def test_the_walk_sees_deferred_imports_and_package_inits(tmp_path):
    # The circle zoo had: a backbone defers an import of a converter module, whose package __init__ imports
    # a loader that imports the models back. Only the deferred import and the implicit __init__ close it.
    package = write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/models/__init__.py": "from pkg.models.backbone import Backbone\n",
        "pkg/models/backbone.py": "class Backbone:\n    def load(self):\n        from pkg.convert.bert import fill\n",
        "pkg/convert/__init__.py": "from .hf import load\n",
        "pkg/convert/hf.py": "from pkg.models import Backbone\n\ndef load():\n    pass\n",
        "pkg/convert/bert.py": "def fill():\n    pass\n",
    })
    edges = import_edges(module_files(package))
    assert "pkg.convert" in edges["pkg.models.backbone"]  # implicit: importing pkg.convert.bert runs it
    assert "pkg.models" not in edges["pkg.models.backbone"]  # its own package: started before it runs
    circles = find_circles(edges)
    assert len(circles) == 1 and set(circles[0]) == {
        "pkg.models", "pkg.models.backbone", "pkg.convert", "pkg.convert.hf"
    }, circles
    (package / "convert" / "__init__.py").write_text('"""Imports nothing: no circle."""\n', encoding="utf-8")
    assert find_circles(import_edges(module_files(package))) == []


def test_no_source_file_under_zoo_is_longer_than_400_lines():
    lengths = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in ZOO.rglob("*.py")}
    assert lengths, f"no source files found under {ZOO}"
    long = {str(path.relative_to(ZOO.parent)): n for path, n in sorted(lengths.items()) if n > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"
