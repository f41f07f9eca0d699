"""What every experiment reads the same way from a scored Inspect log sample.

An experiment's ``rows.py`` turns one sample into table rows; the error line and the mapping
of missing numbers to NaN are shared here so that every experiment reports them alike.
"""

from __future__ import annotations

import re

from inspect_ai.log import EvalSample


def nan_if_none(value: object) -> float:
    """``None`` -> NaN; any number -> float."""
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def error_text(sample: EvalSample) -> str:
    """One line saying why a sample failed: the innermost error, not a request dump."""
    if sample.error is None:
        return ""
    text = str(sample.error.message).replace("\\n", "\n").replace("\\'", "'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if re.search(r"(Error|Exception)\b", line)]
    line = (errors[-1] if errors else lines[0]) if lines else "error"
    line = line.removesuffix("')").removesuffix("\")")  # the wrapper's repr around it
    return line.strip()[:500] or "error"
