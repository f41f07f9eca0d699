"""The package's layers import only downward (docs/architecture.md is the map).

Every ``therapy_audit`` import of every module, at the top or inside a function, is checked
against the layer order below: a module may import its own layer and the layers beneath it,
never one above. The two experiments are independent of each other; the conversation
experiment builds on the appropriate-responses one (its stimuli and judges).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "therapy_audit"

# Lowest first. A module belongs to the first entry whose name is its top-level module or
# package (``therapy_audit.<name>``).
LAYERS: list[tuple[str, ...]] = [
    ("vocab", "jsonl", "parsing", "prompts", "log_sample", "logfile", "rundir"),
    ("models",),
    ("stigma", "appropriateness"),
    ("conversation",),
    ("table",),
    ("engine", "offline_replay"),
    ("analysis",),
    ("sources",),
    ("cli", "_registry"),
]
# Packages of one layer that must not import each other.
INDEPENDENT = {("stigma", "appropriateness"), ("appropriateness", "stigma")}


def layer_of(top: str) -> int:
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"therapy_audit.{top} is in no layer: add it to LAYERS and to "
                         "docs/architecture.md")


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "therapy_audit" and len(parts) > 1 else None


def package_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, therapy_audit.<top>)`` of every import of the package in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = _top(node.module)
            if top is None and node.module == "therapy_audit":
                found += [(node.lineno, alias.name) for alias in node.names]
            elif top:
                found.append((node.lineno, top))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, t) for a in node.names if (t := _top(a.name))]
    return found


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or
                  p.parent != PACKAGE)


def violations() -> list[str]:
    problems = []
    for path in modules():
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for line, top in package_imports(path):
            if top == "__version__":
                continue
            if layer_of(top) > layer_of(own) or (own, top) in INDEPENDENT:
                problems.append(f"{path.relative_to(PACKAGE)}:{line} imports therapy_audit.{top}")
    return problems


def test_every_module_is_in_a_layer() -> None:
    for path in modules():
        layer_of(path.relative_to(PACKAGE).parts[0].removesuffix(".py"))


def test_no_module_imports_a_higher_layer() -> None:
    assert violations() == []


@pytest.mark.parametrize("importer, imported", [("stigma", "analysis"), ("table", "engine"),
                                                 ("stigma", "appropriateness")])
def test_the_check_catches_an_upward_import(tmp_path: Path, importer: str,
                                            imported: str) -> None:
    module = tmp_path / "m.py"
    module.write_text(f"from therapy_audit.{imported}.x import y\n", encoding="utf-8")
    (top,) = {t for _, t in package_imports(module)}
    assert layer_of(top) > layer_of(importer) or (importer, top) in INDEPENDENT
