"""The code's layout as the README maps it: imports read with ast, arrows one way, no cycles, channels apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVICE = ROOT / "service"
CHANNELS = ("voice", "text")
# What each package may use of ours besides itself (top-level helper modules settings and logs are open to all).
ALLOWED = {
    "content": set(),
    "understanding": {"content"},
    "audio": {"content"},
    "records": set(),
    "gateway": set(),
    "voice": {"content", "understanding", "audio", "records", "gateway", "line"},
    "text": {"content", "understanding", "audio", "records", "gateway", "line"},
    "editing": {"content", "records"},
    "admin": {"content", "understanding", "audio", "records", "gateway", "editing", "line", "live"},
}
BASE_MODULES = {"settings", "logs"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module of ours that a file imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "service":
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "service")
    return {m for m in found if m != name}


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in SERVICE.rglob("*.py")}


def area(module: str) -> str:
    """The package or top-level module a module belongs to: service.voice.call -> voice."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "service"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_reader_sees_relative_and_absolute_imports(tmp_path: Path) -> None:
    # The layout tests are only as good as this reader: it must see a cycle and a channel importing the other.
    edges = {"service.a": {"service.b"}, "service.b": {"service.c"}, "service.c": {"service.a"}}
    assert find_cycle(edges) == ["service.a", "service.b", "service.c", "service.a"]
    assert find_cycle({"service.a": {"service.b"}, "service.b": set()}) is None
    seen = imports_of(SERVICE / "voice" / "call.py")
    assert "service.line" in seen and any(m.startswith("service.content") for m in seen)


def test_no_module_imports_itself_back_through_others() -> None:
    assert find_cycle(graph()) is None


def test_areas_do_not_import_each_other_in_circles() -> None:
    edges: dict[str, set[str]] = {}
    for module, targets in graph().items():
        edges.setdefault(area(module), set()).update(area(t) for t in targets if area(t) != area(module))
    edges.pop("service", None)  # the app factory and CLI sit on top and may use everything
    for targets in edges.values():
        targets.discard("service")
    assert find_cycle(edges) is None, edges


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_uses_only_what_the_map_allows(package: str) -> None:
    wrong = {}
    for module, targets in graph().items():
        if area(module) != package:
            continue
        outside = {area(t) for t in targets} - {package} - ALLOWED[package] - BASE_MODULES
        if outside:
            wrong[module] = sorted(outside)
    assert not wrong, f"imports outside what the README's map allows: {wrong}"


def test_the_phone_and_text_channels_never_import_each_other() -> None:
    for module, targets in graph().items():
        if area(module) in CHANNELS:
            other = [c for c in CHANNELS if c != area(module)][0]
            assert not [t for t in targets if area(t) == other], f"{module} imports the {other} channel"


def test_every_package_opens_with_a_one_line_docstring() -> None:
    for init in SERVICE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "\n" not in doc.strip(), f"{init} needs a one-line docstring saying what the package holds"
