"""The analysis package's layers point down: stats < samples, baselines < agreement,
annotators < tables < findings, figures < report (gate and summary on top), and one
statistics module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[1] / "src" / "therapy_audit" / "analysis"

# What each analysis module may import from the analysis package.
ALLOWED = {
    "stats": set(),
    "samples": set(),
    "baselines": {"stats"},
    "agreement": {"stats", "samples"},
    "annotators": {"stats", "samples"},
    "tables": {"stats", "samples", "baselines", "agreement", "annotators"},
    "findings": {"stats", "samples", "baselines", "agreement", "tables"},
    "figures": {"stats", "samples", "baselines", "tables", "findings"},
    "report": {"stats", "samples", "baselines", "agreement", "tables", "findings", "figures"},
    "gate": {"stats", "samples", "tables"},
    "summary": {"stats", "samples", "agreement", "tables", "findings"},
}


def _analysis_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "therapy_audit.analysis":
                found |= {a.name for a in node.names}
            elif node.module.startswith("therapy_audit.analysis."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names
                      if a.name.startswith("therapy_audit.analysis.")}
    return found


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_analysis_modules_import_only_lower_layers(module):
    imports = _analysis_imports(ANALYSIS / f"{module}.py")
    assert imports <= ALLOWED[module], f"{module} imports {sorted(imports - ALLOWED[module])}"


def test_every_analysis_module_has_a_layer():
    modules = {p.stem for p in ANALYSIS.glob("*.py")} - {"__init__"}
    assert modules == set(ALLOWED)


def test_only_stats_draws_resamples_or_computes_kappa():
    for path in ANALYSIS.glob("*.py"):
        if path.stem == "stats":
            continue
        text = path.read_text(encoding="utf-8")
        for marker in ("default_rng", "np.quantile", "np.percentile", "krippendorff.alpha",
                       "chi2_contingency", "norm.sf", ":.1%", ":.0%"):
            assert marker not in text, f"{path.name} computes statistics itself ({marker})"
