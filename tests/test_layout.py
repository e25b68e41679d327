"""The house rules of the layout (README, Layout): no import cycles between the app's
modules, and no file of the project over 400 lines as ``ruff format`` writes it. Read from
the source, nothing of the app imported."""

from __future__ import annotations

import ast
import functools
import io
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nst", "nst_cli", "gui")
# The length rule covers the scripts beside the app too: they are read and kept alike.
MEASURED = (*PACKAGES, "bench", "tools")
MAX_LINES = 400
SKIP = re.compile(r"#\s*fmt:\s*skip\b")
CONTAINERS = ("frozenset", "set", "tuple", "list", "dict")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the app's modules it imports, at any depth of its code."""
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = _imports(modules)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(modules):
        if name not in state:
            visit(name)
    assert cycles == []


def _is_table(node: ast.stmt) -> bool:
    """A table: a name bound to a literal tuple, list, set or dict (bare, or as the one
    argument of ``frozenset``, ``set``, ``tuple``, ``list`` or ``dict``), whose rows a
    ``# fmt: skip`` may lay out one per line. Any other skipped statement is packing: a
    call, a def, a loop."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    else:
        return False
    if not all(isinstance(target, ast.Name) for target in targets):
        return False
    value = node.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in CONTAINERS
        and len(value.args) == 1
        and not value.keywords
    ):
        value = value.args[0]
    return isinstance(value, (ast.Tuple, ast.List, ast.Set, ast.Dict))


def without_packing(source: str) -> str:
    """``source`` with every ``# fmt: skip`` removed except those that close a table."""
    tables = {
        node.end_lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.stmt) and _is_table(node)
    }
    lines = source.splitlines(keepends=True)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        row, column = token.start
        if token.type != tokenize.COMMENT or not SKIP.search(token.string) or row in tables:
            continue
        line = lines[row - 1]
        comment = SKIP.sub("", token.string).strip()
        kept = "" if comment in ("", "#") else "  " + comment
        lines[row - 1] = line[:column].rstrip() + kept + line[column + len(token.string) :]
    return "".join(lines)


def _measured_files() -> list[Path]:
    return sorted(path for folder in MEASURED for path in (ROOT / folder).rglob("*.py"))


@functools.cache
def formatted_lengths() -> dict[str, int]:
    """Lines per file as ``ruff format`` writes it without packing: one ruff run over a copy
    of the tree (with the project's ruff settings), once per test session."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
        for path in _measured_files():
            target = copy / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(without_packing(path.read_text(encoding="utf-8")), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--quiet", "--no-cache", str(copy)],
            check=True,
            cwd=copy,
        )
        return {
            str(path.relative_to(copy)): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(copy.rglob("*.py"))
        }


def test_packing_is_removed_and_tables_kept() -> None:
    source = (
        "ROWS = (\n    1, 2,\n    3,\n)  # fmt: skip\n"
        "NAMES = frozenset({\n    'a', 'b',\n})  # fmt: skip\n"
        "data[key] = {'a': 1,\n             'b': 2}  # fmt: skip\n"
        "code = main(['a',\n             'b'])  # fmt: skip\n"
        "call(a,\n     b)  # fmt: skip\n"
        "def f(a, b):  # noqa: E501  # fmt: skip\n    return g(a,\n             b)  # fmt:skip\n"
    )
    stripped = without_packing(source)
    assert stripped.count("fmt: skip") == 2  # the two tables
    assert "     b)\n" in stripped and "# noqa: E501\n" in stripped
    assert "b)  # fmt:skip" not in stripped
    ast.parse(stripped)


def test_no_file_over_400_lines_as_ruff_formats_it() -> None:
    long = {name: count for name, count in formatted_lengths().items() if count > MAX_LINES}
    assert long == {}
