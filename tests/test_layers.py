"""Imports point one way (README, "Architecture"): drivers -> journey -> care / store ->
dialogue / texts / files. A module may import its own layer and the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "companion"
LAYERS = {
    "clock": 0,
    "files": 1,
    "dialogue": 1,
    "texts": 1,
    "resources": 2,
    "care": 3,
    "store": 3,
    "journey": 4,
    "reports": 5,
    "present": 5,
    "commands": 6,
    "practice": 6,  # above journey, store and reports; uses commands/homework's plan checks
    "app": 7,
    "plain": 7,
    "serve": 7,
    "serve_practice": 7,
    "cli": 8,
    "__main__": 9,
}


def layer_of(module: str) -> str:
    """``companion.store.storage`` -> ``store``."""
    return module.split(".")[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found.update(n for n in names if n.startswith("companion."))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("companion."))
    return {name for name in found if layer_of(name) in LAYERS}


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert top in LAYERS or top == "__init__", f"{path}: no layer for '{top}'"


def test_imports_point_down() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if top == "__init__":
            continue
        for name in sorted(imports_of(path)):
            if LAYERS[layer_of(name)] > LAYERS[top]:
                upward.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert not upward, "\n".join(upward)
