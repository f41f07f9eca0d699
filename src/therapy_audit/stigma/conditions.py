"""The four vignette conditions of the stigma experiment, and which one is the control.

The General Social Survey vignettes the paper used describe depression, schizophrenia, alcohol
dependence, or "daily troubles": a person with no mental illness, the control that shows how
often a model gives the "stigmatising" answer about anyone at all.
"""

from __future__ import annotations

CONTROL_CONDITION = "daily troubles"

# Every condition with its abbreviation, in the order tables and figures show them.
CONDITION_ABBREVIATIONS = {
    CONTROL_CONDITION: "CTL",
    "depression": "DPR",
    "alcohol dependence": "ALC",
    "schizophrenia": "SCZ",
}
CONDITIONS = list(CONDITION_ABBREVIATIONS)
