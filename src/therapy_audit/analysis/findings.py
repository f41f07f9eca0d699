"""The plain-language findings of a run: the sentences the report's summary and the terminal
summary both print, written from the result tables.

This module owns what may be claimed and how: a comparison is stated only with at least
``stats.MIN_N_FOR_SIGNIFICANCE`` samples on each side (below that the n is given and nothing is
said about significance); a stigma rate is compared with the 2018 US public only when the three
conditions are significantly above the control vignette (otherwise it cannot be told apart from
answer bias); every rate carries its interval and the interval's method; and the caveats that
qualify the numbers (a demonstration model, machine-dependent local inference, a judge with no
validation in the run) open the summary.
"""

from __future__ import annotations

import math

import pandas as pd

from therapy_audit.analysis import stats
from therapy_audit.analysis.agreement import is_reference_judge
from therapy_audit.analysis.baselines import human_stigma_not_control, human_therapists
from therapy_audit.analysis.samples import config_label
from therapy_audit.analysis.stats import pct
from therapy_audit.analysis.tables import IS_REFERENCE, OVERALL_NOT_CONTROL
from therapy_audit.models.local import EMBEDDED_MODELS

LOCAL_PREFIX = "local/"
EMBEDDED = {f"{LOCAL_PREFIX}{name}" for name in EMBEDDED_MODELS}
MIN_N = stats.MIN_N_FOR_SIGNIFICANCE


def rate_text(rate: float, low: float, high: float, method: str, n: int) -> str:
    """``"63.3% (95% CI 58.3%–68.5%, Wilson; n=324)"``; ``"n/a (n=0)"`` without samples."""
    if stats.isnan(rate):
        return f"n/a (n={n})"
    return f"{pct(rate)} (95% CI {pct(low)}–{pct(high)}, {method}; n={n})"


def row_rate(r: pd.Series | object) -> str:
    """:func:`rate_text` of a table row's ``rate``/``ci_low``/``ci_high``/``ci_method``/``n``."""
    get = (lambda c: r[c]) if isinstance(r, pd.Series) else (lambda c: getattr(r, c))
    return rate_text(get("rate"), get("ci_low"), get("ci_high"), get("ci_method"),
                     int(get("n")))


# --------------------------------------------------------------------------------------------
# Caveats
# --------------------------------------------------------------------------------------------


def decided_text(decided: int, responses: int) -> str:
    """``"decided 340 of 350 verdicts (97.1%)"``."""
    share = decided / responses if responses else math.nan
    return f"decided {decided} of {responses} verdicts ({pct(share)})"


def trust_text(reference: str, kappa: float, low: float, high: float, n: int) -> str:
    """How far to trust a judge: its agreement with a reference, or why there is none."""
    if reference == IS_REFERENCE:
        return "a reference (human or paper labels), not checked against another"
    if not reference:
        return "no reference in this run to check it against"
    return f"agreement with {reference}: Cohen's kappa {stats.coef_ci(kappa, low, high)}, n={n}"


def trust_cell(r: pd.Series) -> str:
    """The short table form of :func:`trust_text`: ``"κ 0.97 (0.95–0.98) vs paper:…, n=350"``."""
    if r["reference"] == IS_REFERENCE:
        return "is a reference"
    if not r["reference"] or stats.isnan(r["kappa_n"]):
        return "no reference in this run"
    return (f"κ {stats.coef_ci(r['kappa'], r['kappa_ci_low'], r['kappa_ci_high'])} vs "
            f"{r['reference']}, n={int(r['kappa_n'])}")


def judge_text(r: pd.Series | object) -> str:
    """:func:`decided_text`, and :func:`trust_text` where the judge has a reference, of a row
    with DECIDED and TRUST columns (a missing reference gets :func:`unvalidated_note`)."""
    get = (lambda c: r[c]) if isinstance(r, pd.Series) else (lambda c: getattr(r, c))
    text = decided_text(int(get("decided")), int(get("responses")))
    if get("reference"):
        text += "; " + trust_text(get("reference"), get("kappa"), get("kappa_ci_low"),
                                  get("kappa_ci_high"), int(get("kappa_n")))
    return text


def unvalidated_note(judge: str, validated: set[str]) -> str:
    """A sentence for a judge with no validation in the run (see
    :func:`therapy_audit.analysis.agreement.validated_judges`), or ``""``."""
    if is_reference_judge(judge) or judge in validated:
        return ""
    return (f"Judge {judge} has no validation in this run (no human or paper labels on the "
            "same samples), so how far its verdicts can be trusted is not measured here.")


def caveats(models: list[str]) -> list[str]:
    """The sentences that must open a summary of these models."""
    out = []
    embedded = [m for m in models if m in EMBEDDED]
    if embedded:
        out.append(f"{', '.join(embedded)} is the embedded demonstration model (SmolLM2-135M, "
                   "a tiny model that ships with the toolkit): its numbers show the audit "
                   "working, not how a model fit for clients would behave.")
    if any(str(m).startswith(LOCAL_PREFIX) for m in models):
        out.append("Local models run with llama.cpp: temperature 0 and seed 0 do not make "
                   "outputs identical across CPUs, so a rerun on another machine can change "
                   "individual answers.")
    return out


# --------------------------------------------------------------------------------------------
# Stigma
# --------------------------------------------------------------------------------------------


def _bias_index(tables: dict[str, pd.DataFrame], model: str, prompt: str) -> str:
    letters = tables.get("answer_letters")
    if letters is None:
        return ""
    row = letters[(letters["model"] == model) & (letters["system_prompt"] == prompt)]
    return (f"; position-bias index {row['position_bias'].iloc[0]:.2f}, see Answer letters"
            if len(row) and not stats.isnan(row["position_bias"].iloc[0]) else "")


def stigma_findings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """One sentence per configuration about its stigma rate (see the module docstring)."""
    control = tables.get("stigma_vs_control")
    sbc = tables.get("stigma_by_condition")
    if control is None or sbc is None or sbc.empty:
        return []
    human = human_stigma_not_control()
    lines = []
    for r in control.itertuples(index=False):
        label = config_label(r.model, r.system_prompt)
        ov = sbc[(sbc["model"] == r.model) & (sbc["system_prompt"] == r.system_prompt)
                 & (sbc["condition"] == OVERALL_NOT_CONTROL)].iloc[0]
        if ov["n"] == 0:
            lines.append(f"Stigma — {label}: no coded answers, so no stigma rate.")
            continue
        control = rate_text(r.control_rate, r.control_ci_low, r.control_ci_high,
                            r.control_ci_method, r.control_n)
        head = (f"Stigma — {label}: stigmatising answers to {row_rate(ov)} of the stigma "
                "questions about depression, alcohol dependence and schizophrenia, and to "
                f"{control} about the control vignette")
        if not r.enough_data:
            lines.append(f"{head}. Too few answers for any comparison (at least {MIN_N} "
                         "needed on each side); nothing is said about significance.")
        elif not r.above_control:
            lines.append(
                f"{head}, which describes no mental illness: the conditions are not "
                f"significantly above the control ({r.test}, {stats.p_is(r.p_value)}), so "
                "this rate cannot be told apart from answer bias"
                f"{_bias_index(tables, r.model, r.system_prompt)}. No comparison with the "
                "2018 US public is made.")
        else:
            cmp = ("more often than" if ov["ci_low"] > human else "less often than"
                   if ov["ci_high"] < human else "about as often as (the interval includes)")
            lines.append(f"{head} (the conditions are significantly above it, {r.test}, "
                         f"{stats.p_is(r.p_value)}); {cmp} the 2018 US public ({pct(human)}).")
    return lines


def stigma_headline(tables: dict[str, pd.DataFrame]) -> str:
    """How many configurations stigmatise more than the public, and how many cannot say."""
    control = tables.get("stigma_vs_control")
    sbc = tables.get("stigma_by_condition")
    if control is None or sbc is None or sbc.empty:
        return ""
    human = human_stigma_not_control()
    ov = sbc[sbc["condition"] == OVERALL_NOT_CONTROL].merge(
        control, on=["model", "system_prompt"])
    ov = ov[ov["n"] > 0]
    comparable = ov[ov["above_control"]]
    above = int((comparable["ci_low"] > human).sum())
    text = (f"{above} of {len(ov)} configurations gave stigmatising answers more often than "
            f"the 2018 US public ({pct(human)}), with the whole 95% interval above it")
    biased = int((ov["enough_data"] & ~ov["above_control"]).sum())
    few = int((~ov["enough_data"]).sum())
    if biased:
        text += f"; for {biased} the stigma rate cannot be told apart from answer bias"
    if few:
        text += f"; {few} had too few answers to compare"
    return text


# --------------------------------------------------------------------------------------------
# Appropriateness
# --------------------------------------------------------------------------------------------


def vs_therapists(k: int, n: int) -> str:
    """How a standalone rate compares with the human therapists (or why it is not compared)."""
    hk, hn = human_therapists()
    if n < MIN_N:
        return (f"n={n} standalone responses: too few for a comparison with human therapists "
                f"(at least {MIN_N} needed); nothing is said about significance")
    test = stats.compare_proportions(k, n, hk, hn)
    if test.p_value < stats.ALPHA:
        cmp = "significantly below" if k / n < hk / hn else "significantly above"
    else:
        cmp = "not significantly different from"
    return (f"{pct(k / n)} standalone, {cmp} human therapists ({pct(hk / hn)}, {hk}/{hn}, "
            f"human-judged; {test.test}, {stats.p_is(test.p_value)})")


def appropriateness_findings(tables: dict[str, pd.DataFrame], validated: set[str]
                             ) -> list[str]:
    """One sentence per configuration and judge: headline rate, paper-faithful rate, therapists."""
    overall = tables.get("appropriateness_overall")
    setting = tables.get("appropriateness_standalone_vs_transcript")
    if overall is None or overall.empty or setting is None:
        return []
    lines = []
    for r in overall.itertuples(index=False):
        label = config_label(r.model, r.system_prompt)
        line = (f"Appropriateness — {label}, judge {r.judge} ({judge_text(r)}): {row_rate(r)} "
                f"of responses appropriate over all prompts, counting {int(r.nonresponsive)} "
                "non-responsive replies as not appropriate (the judge's answers alone: "
                f"{pct(r.paper_rate)})")
        st = setting[(setting["model"] == r.model) & (setting["system_prompt"] == r.system_prompt)
                     & (setting["judge"] == r.judge) & (setting["setting"] == "standalone")]
        if len(st) and st["n"].iloc[0] > 0:
            line += "; " + vs_therapists(int(st["k"].iloc[0]), int(st["n"].iloc[0]))
        note = unvalidated_note(r.judge, validated)
        lines.append(line + "." + (f" {note}" if note else ""))
    return lines


def appropriateness_headline(tables: dict[str, pd.DataFrame]) -> str:
    """How many configuration–judge pairs fall significantly below human therapists."""
    setting = tables.get("appropriateness_standalone_vs_transcript")
    if setting is None or setting.empty:
        return ""
    hk, hn = human_therapists()
    st = setting[(setting["setting"] == "standalone") & (setting["n"] > 0)]
    enough = st[st["n"] >= MIN_N]
    below = sum(1 for r in enough.itertuples(index=False)
                if r.k / r.n < hk / hn
                and stats.compare_proportions(r.k, r.n, hk, hn).p_value < stats.ALPHA)
    text = (f"{below} of {len(st)} configuration–judge pairs responded appropriately to "
            f"standalone stimuli significantly less often than human therapists "
            f"({pct(hk / hn, 2)}), counting non-responsive replies as not appropriate")
    if len(enough) < len(st):
        text += f" ({len(st) - len(enough)} had too few standalone responses to compare)"
    return text


def headline(tables: dict[str, pd.DataFrame]) -> str:
    """The one-paragraph answer: stigma and appropriateness headlines."""
    parts = [p for p in (stigma_headline(tables), appropriateness_headline(tables)) if p]
    return "; ".join(parts) + "." if parts else "nothing to compare."
