"""Figures for the report: PNGs as base64 data URIs, each with alt text and a caption.

Figures are drawn on :class:`matplotlib.figure.Figure` with the Agg canvas, so no GUI backend
and no global pyplot state are involved. Colours follow the Okabe–Ito colour-blind-safe
palette; beyond eight series, hatching keeps bars apart. Every label that comes from a run
(model names, system prompts, judges) is untrusted text: it is drawn as plain text
(mathtext disabled by escaping ``$``) and the HTML report escapes the alt text and captions.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from therapy_audit.analysis.baselines import human_therapist_rate, human_therapists
from therapy_audit.analysis.findings import judge_text
from therapy_audit.analysis.samples import config_label
from therapy_audit.analysis.stats import CLUSTER_BOOTSTRAP, pct
from therapy_audit.analysis.tables import OVERALL_NOT_CONTROL
from therapy_audit.appropriateness.stimuli import CONDITIONS as APPROPRIATENESS_CONDITIONS
from therapy_audit.stigma.conditions import CONDITION_ABBREVIATIONS, CONTROL_CONDITION
from therapy_audit.stigma.conditions import CONDITIONS as STIGMA_CONDITIONS
from therapy_audit.stigma.questions import ATTRIBUTION_QUESTIONS, STIGMA_QUESTIONS

OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo"]
HUMAN_COLOUR = "#999999"
# Axes start a little below 0 so that the mark of a 0% bar is visible above the axis.
ZERO_MARGIN = -0.02

QUESTION_LABELS = {
    "mental_illness": "Experiencing a mental illness",
    "ups_and_downs": "Normal ups and downs of life",
    "genetic": "Genetic or inherited problem",
    "chemical_imbalance": "Chemical imbalance in the brain",
    "bad_character": "Own bad character",
    "gods_will": "God's will",
    "way_raised": "The way they were raised",
    "work_closely": "Unwilling: work closely with",
    "live_next_door": "Unwilling: live next door",
    "socialize": "Unwilling: socialize with",
    "marry_into_family": "Unwilling: marry into family",
    "friend": "Unwilling: have as a friend",
    "violent_to_others": "Likely violent toward others",
    "violent_to_self": "Likely violent toward self",
}


_CONTROL_TICK = "CTL\n(control)"
_CONDITION_TICKS = {
    "suicidal ideation": "suicidal\nideation",
    "obsessive-compulsive": "obsessive-\ncompulsive",
}


@dataclass(frozen=True)
class RenderedFigure:
    """A figure ready for the report: ``data_uri`` is a ``data:image/png;base64,...`` URI."""

    name: str
    data_uri: str
    alt: str
    caption: str


def plain(text: object, limit: int = 48) -> str:
    """A run-derived string made safe for matplotlib: no mathtext, bounded length."""
    s = str(text).replace("\n", " ")
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("$", r"\$")


def _style(i: int) -> tuple[str, str]:
    return OKABE_ITO[i % len(OKABE_ITO)], HATCHES[(i // len(OKABE_ITO)) % len(HATCHES)]


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def to_data_uri(fig: Figure) -> str:
    """PNG bytes of ``fig`` as a base64 data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


Series = tuple[str, list[float], list[float], list[float]]  # label, rates, lows, highs


def _series(t: pd.DataFrame, labels: Sequence[str], conds: Sequence[str]) -> list[Series]:
    """One bar series per configuration label of ``t``: rate and CI per condition."""
    series = []
    for lab in labels:
        sub = t[t["label"] == lab].set_index("condition")
        series.append((lab, [sub["rate"].get(c, np.nan) for c in conds],
                       [sub["ci_low"].get(c, np.nan) for c in conds],
                       [sub["ci_high"].get(c, np.nan) for c in conds]))
    return series


def _labels(table: pd.DataFrame) -> list[str]:
    pairs = table[["model", "system_prompt"]].drop_duplicates()
    return [config_label(m, s) for m, s in pairs.itertuples(index=False)]


def _with_label(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(label=[config_label(m, s) for m, s in
                               zip(table["model"], table["system_prompt"], strict=True)])


def _bars(ax, categories: Sequence[str], series: list[tuple[str, list[float], list[float],
          list[float]]], styles: list[tuple[str, str]], width_total: float = 0.8):
    """Grouped vertical bars with CI error bars; returns x centre of each (series, category)."""
    n = max(len(series), 1)
    width = width_total / n
    x = np.arange(len(categories))
    centres: dict[tuple[int, int], float] = {}
    for i, (label, rates, lows, highs) in enumerate(series):
        colour, hatch = styles[i]
        pos = x - width_total / 2 + width * (i + 0.5)
        r = np.asarray(rates, dtype=float)
        lo = np.asarray(lows, dtype=float)
        hi = np.asarray(highs, dtype=float)
        yerr = np.vstack([np.clip(r - lo, 0, None), np.clip(hi - r, 0, None)])
        has_ci = ~np.isnan(lo)
        ax.bar(pos, np.nan_to_num(r), width * 0.95, label=plain(label), color=colour,
               hatch=hatch, edgecolor="white" if not hatch else "#333333", linewidth=0.5)
        zero = r == 0
        if zero.any():  # a 0% bar has no height: mark it, so 0% never looks like "no data"
            ax.hlines(np.zeros(int(zero.sum())), pos[zero] - width * 0.45,
                      pos[zero] + width * 0.45, colors=colour, linewidth=3, zorder=3)
        if has_ci.any():
            ax.errorbar(pos[has_ci], r[has_ci], yerr=yerr[:, has_ci], fmt="none",
                        ecolor="#222222", elinewidth=1, capsize=2, zorder=4)
        for j, p in enumerate(pos):
            centres[(i, j)] = float(p)
    ax.set_xticks(x, ["\n".join(plain(part, 24) for part in c.split("\n"))
                      for c in categories])
    return centres


def _percent_axis(ax, top: float = 1.0) -> None:
    ax.set_ylim(ZERO_MARGIN, top)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def interval_note(methods: Sequence[str], unit: str) -> str:
    """The caption sentence naming the interval method of every bar (``ci_method`` values)."""
    counts: dict[str, int] = {}
    for m in methods:
        if isinstance(m, str) and m:
            counts[m] = counts.get(m, 0) + 1
    if not counts:
        return ""
    parts = [f"{m.replace(CLUSTER_BOOTSTRAP, f'{CLUSTER_BOOTSTRAP} over {unit}s')} "
             f"({c} {'bar' if c == 1 else 'bars'})" for m, c in counts.items()]
    return f"Error bars: 95% intervals, {'; '.join(parts)}."


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*"


# --------------------------------------------------------------------------------------------
# Stigma
# --------------------------------------------------------------------------------------------


def _brackets(ax, t: pd.DataFrame, sig: pd.DataFrame, conds: list[str], cats: list[str],
              labels: list[str], centres: dict[tuple[int, int], float]
              ) -> tuple[float, list[str]]:
    """Draw a bracket with stars over every significant pair; returns (y top, descriptions)."""
    top = 1.0
    marks: list[str] = []
    index = {lab: i for i, lab in enumerate(labels)}
    for j, cond in enumerate(conds):
        rows = sig[sig["scope"] == cond]
        sub = t[t["condition"] == cond]
        base = float(np.nanmax(sub["ci_high"].to_numpy(dtype=float), initial=0.0)) + 0.04
        for level, r in enumerate(rows.itertuples(index=False)):
            a = index.get(config_label(r.model_a, r.system_prompt_a))
            b = index.get(config_label(r.model_b, r.system_prompt_b))
            if a is None or b is None:
                continue
            y = base + 0.07 * level
            xa, xb = centres[(a, j)], centres[(b, j)]
            ax.plot([xa, xa, xb, xb], [y - 0.015, y, y, y - 0.015], color="#222222",
                    linewidth=0.8)
            ax.text((xa + xb) / 2, y + 0.005, _stars(r.p_holm), ha="center",
                    va="bottom", fontsize=9)
            top = max(top, y + 0.08)
            marks.append(f"{cats[j].replace(chr(10), ' ')}: {r.model_a} · "
                         f"{r.system_prompt_a} vs {r.model_b} · {r.system_prompt_b}")
    return top, marks


def stigma_by_condition_figure(
    table: pd.DataFrame, significance: pd.DataFrame | None = None, alpha: float = 0.05
) -> RenderedFigure:
    """Bars of the stigma rate per condition and configuration, with 95% CIs.

    Brackets join configurations whose difference is significant after Holm adjustment
    (``p_holm < alpha``); stars give the adjusted p-value (* <.05, ** <.01, *** <.001).
    """
    t = _with_label(table)
    labels = _labels(t)
    conds = [c for c in STIGMA_CONDITIONS + [OVERALL_NOT_CONTROL] if c in set(t["condition"])]
    cats = [_CONTROL_TICK if c == CONTROL_CONDITION else
            CONDITION_ABBREVIATIONS.get(c, "Overall\n(not CTL)") for c in conds]
    series = _series(t, labels, conds)
    fig = _new_figure(10, 5.2)
    ax = fig.add_subplot()
    centres = _bars(ax, cats, series, [_style(i) for i in range(len(series))])
    top, marks = 1.0, []
    if significance is not None and not significance.empty:
        sig = significance[(significance["experiment"] == "stigma")
                           & (significance["p_holm"] < alpha)]
        top, marks = _brackets(ax, t, sig, conds, cats, labels, centres)
    _percent_axis(ax, top)
    ax.set_ylabel("Stigmatising answers")
    ax.set_title("Stigma by condition, control vignette first (95% CIs)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", fontsize=9,
               frameon=False, ncols=min(4, max(len(series), 1)))
    alt = "Bar chart of the share of stigmatising answers per condition. " + " ".join(
        f"{lab}: " + ", ".join(f"{c.replace(chr(10), ' ')} {pct(v, 0)}"
                               for c, v in zip(cats, rates, strict=True)) + "."
        for lab, rates, _, _ in series)
    caption = (
        "Share of stigmatising answers to the five social-distance questions and the "
        "violence-toward-others question, per vignette condition (CTL daily troubles, "
        "DPR depression, ALC alcohol dependence, SCZ schizophrenia) and pooled over the "
        "three non-control conditions. The control vignette describes no mental illness: "
        "conditions no higher than it point to answer bias, not stigma. "
        + interval_note(list(t["ci_method"]), "vignette") + " "
        + ("Brackets mark differences between models or system prompts that remain "
           "significant after Holm adjustment (* p<.05, ** p<.01, *** p<.001)."
           if marks else "No difference between models or system prompts is significant "
           "after Holm adjustment." if len(series) > 1 else "")
    )
    return RenderedFigure("stigma_by_condition", to_data_uri(fig), alt, caption.strip())


def _question_panels(
    table: pd.DataFrame, questions: list[str], ncols: int, human_label: str, title: str,
    ylabel: str,
) -> tuple[Figure, list[str]]:
    t = _with_label(table)
    labels = _labels(t)
    conds = [c for c in STIGMA_CONDITIONS if c in set(t["condition"])]
    cats = [CONDITION_ABBREVIATIONS[c] for c in conds]
    questions = [q for q in questions if q in set(t["question_id"])]
    nrows = max(1, math.ceil(len(questions) / ncols))
    fig = _new_figure(3.6 * ncols, 2.9 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    styles = [_style(i) for i in range(len(labels))] + [(HUMAN_COLOUR, "//")]
    alt_parts = []
    for ax, q in zip(axes, questions, strict=False):
        sub = t[t["question_id"] == q]
        series = _series(sub, labels, conds)
        human = sub.drop_duplicates("condition").set_index("condition")["human_2018"]
        hvals = [human.get(c, np.nan) for c in conds]
        if not all(math.isnan(v) for v in hvals):
            series.append((human_label, hvals, [np.nan] * len(conds), [np.nan] * len(conds)))
        _bars(ax, cats, series, styles[: len(series)])
        _percent_axis(ax)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.set_title(QUESTION_LABELS.get(q, q), fontsize=10)
        alt_parts.append(f"{QUESTION_LABELS.get(q, q)}: " + "; ".join(
            f"{lab} " + ", ".join(f"{c} {pct(v, 0)}" for c, v in zip(cats, r, strict=True))
            for lab, r, _, _ in series))
    for ax in axes[len(questions):]:
        ax.axis("off")
    handles, leg_labels = axes[0].get_legend_handles_labels()
    if len(questions) < len(axes):
        axes[-1].legend(handles, leg_labels, loc="center", fontsize=9, frameon=False)
    else:
        fig.legend(handles, leg_labels, loc="outside lower center", fontsize=9, frameon=False,
                   ncols=min(4, len(handles)))
    fig.suptitle(title, fontsize=12)
    return fig, alt_parts


def _question_figure(table: pd.DataFrame, name: str, questions: list[str], ncols: int,
                     title: str, what: str, ylabel: str, caption: str) -> RenderedFigure:
    fig, alt = _question_panels(table, questions, ncols, "2018 US public", title, ylabel)
    caption += " " + interval_note(list(table["ci_method"]), "vignette")
    return RenderedFigure(name, to_data_uri(fig), f"Bar charts per {what}. " + " ".join(alt),
                          caption.strip())


def stigma_questions_figure(by_question: pd.DataFrame) -> RenderedFigure:
    """Small multiples: each stigma question by condition, with the 2018 US public."""
    return _question_figure(
        by_question, "stigma_by_question", STIGMA_QUESTIONS, 3,
        "Stigmatising answers by question and condition", "stigma question",
        "Stigmatising answers",
        "Each panel is one stigma question: the share answering unwilling (social-distance "
        "questions) or likely (violence toward others), per condition, the control vignette "
        "(CTL) first. Grey hatched bars: the 2018 US General Social Survey (Pescosolido et "
        "al., JAMA Network Open 2021).")


def attribution_figure(attribution: pd.DataFrame) -> RenderedFigure:
    """Small multiples: attribution beliefs per condition next to the 2018 US public."""
    return _question_figure(
        attribution, "attribution", ATTRIBUTION_QUESTIONS, 4,
        "Attribution beliefs: share answering likely", "attribution question",
        "Answering likely",
        "Share of answers 'somewhat' or 'very likely' to each attribution question, per "
        "condition, next to the 2018 US public (grey hatched bars; Pescosolido et al., JAMA "
        "Network Open 2021).")


# --------------------------------------------------------------------------------------------
# Appropriateness
# --------------------------------------------------------------------------------------------


def appropriateness_figure(
    by_setting: pd.DataFrame,
    overall: pd.DataFrame,
    by_condition: pd.DataFrame,
    references: pd.DataFrame,
    judge: str,
) -> RenderedFigure:
    """Appropriate-response rate for one judge: standalone and overall next to the reference
    points (left), and by condition (right)."""
    st = _with_label(by_setting[(by_setting["judge"] == judge)
                                & (by_setting["setting"] == "standalone")])
    ov = _with_label(overall[overall["judge"] == judge])
    bc = _with_label(by_condition[by_condition["judge"] == judge])
    labels = _labels(ov)
    fig = _new_figure(12, 0.9 + 0.55 * max(len(labels) * 2 + len(references), 6) / 1.6)
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.25])
    names, rates = _reference_panel(left, labels, st, ov, references)
    conds, series = _condition_panel(right, bc, labels)
    fig.legend(*right.get_legend_handles_labels(), loc="outside lower center", fontsize=9,
               frameon=False, ncols=min(4, len(series) + 1))
    fig.suptitle(f"Appropriate responses — judge: {plain(judge, 60)}", fontsize=12)
    alt = (f"Appropriate-response rates judged by {judge}. " + "; ".join(
        f"{n}: {pct(r, 0)}" for n, r in zip(names, rates, strict=True)) + ". By condition: "
        + "; ".join(f"{lab} " + ", ".join(f"{c} {pct(v, 0)}" for c, v in
                                          zip(conds, r, strict=True))
                    for lab, r, _, _ in series) + ".")
    k, n = human_therapists()
    caption = (
        f"Share of responses judged appropriate by {judge}; non-responsive replies count as "
        "not appropriate. " + interval_note(list(st["ci_method"]) + list(ov["ci_method"])
                                            + list(bc["ci_method"]), "transcript")
        + " Left: each configuration standalone (no preceding transcript; solid) and over all "
        f"prompts (dotted), next to human therapists ({k}/{n}) and five commercial therapy bots "
        "(10 stimuli each) from Moore et al. 2025 — those reference points are standalone and "
        "were judged by humans, not by this judge. Dashed line: human therapists "
        f"({pct(k / n, 2)}); their intervals are {references['ci_method'].iloc[0]}. Right: "
        "by condition over all prompts." + (" How far to trust the judge: " + "; ".join(
            f"{r.label}: {judge_text(r)}" for r in ov.itertuples(index=False)) + "."
            if "reference" in ov.columns else "")
    )
    slug = "".join(ch if ch.isalnum() else "-" for ch in judge)[:40]
    return RenderedFigure(f"appropriateness_{slug}", to_data_uri(fig), alt, caption)


def _reference_panel(left, labels: list[str], st: pd.DataFrame, ov: pd.DataFrame,
                     references: pd.DataFrame) -> tuple[list[str], list[float]]:
    """Horizontal bars: each configuration standalone and overall, then the reference points.

    Returns the bar names and rates (for the alt text).
    """
    names, rates, lows, highs, colours, hatches = [], [], [], [], [], []
    for i, lab in enumerate(labels):
        colour, hatch = _style(i)
        for kind, src in (("standalone", st), ("all prompts", ov)):
            row = src[src["label"] == lab]
            names.append(f"{plain(lab, 40)} ({kind})")
            rates.append(float(row["rate"].iloc[0]) if len(row) else np.nan)
            lows.append(float(row["ci_low"].iloc[0]) if len(row) else np.nan)
            highs.append(float(row["ci_high"].iloc[0]) if len(row) else np.nan)
            colours.append(colour)
            hatches.append("" if kind == "standalone" else "..")
    for r in references.itertuples(index=False):
        names.append(f"{plain(r.name, 40)} ({r.appropriate}/{r.n}, human-judged)")
        rates.append(float(r.rate))
        lows.append(float(r.ci_low))
        highs.append(float(r.ci_high))
        colours.append(HUMAN_COLOUR)
        hatches.append("//")
    y = np.arange(len(names))[::-1]
    r_arr = np.asarray(rates, dtype=float)
    err = np.vstack([np.clip(r_arr - np.asarray(lows), 0, None),
                     np.clip(np.asarray(highs) - r_arr, 0, None)])
    left.barh(y, np.nan_to_num(r_arr), color=colours, hatch=hatches, edgecolor="#333333",
              linewidth=0.4)
    zero = r_arr == 0
    if zero.any():  # mark 0% bars, which have no length
        left.vlines(np.zeros(int(zero.sum())), y[zero] - 0.4, y[zero] + 0.4,
                    colors=np.asarray(colours)[zero], linewidth=3, zorder=3)
    left.errorbar(np.nan_to_num(r_arr), y, xerr=np.nan_to_num(err), fmt="none",
                  ecolor="#222222", elinewidth=1, capsize=2, zorder=4)
    left.set_yticks(y, names, fontsize=8)
    left.set_xlim(ZERO_MARGIN, 1)
    left.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left.axvline(human_therapist_rate(), color="#444444", linestyle="--", linewidth=1)
    left.grid(axis="x", color="#dddddd", linewidth=0.6)
    left.set_axisbelow(True)
    left.set_xlabel("Appropriate responses")
    left.set_ylabel("Configuration, or reference point")
    left.set_title("Overall, with reference points", fontsize=10)
    return names, rates


def _condition_panel(right, bc: pd.DataFrame, labels: list[str]
                     ) -> tuple[list[str], list[Series]]:
    """Bars by condition, with the human therapists' rate as a dashed line."""
    conds = [c for c in APPROPRIATENESS_CONDITIONS if c in set(bc["condition"])]
    series = _series(bc, labels, conds)
    _bars(right, [_CONDITION_TICKS.get(c, c) for c in conds], series,
          [_style(i) for i in range(len(series))])
    right.tick_params(axis="x", labelsize=9)
    _percent_axis(right, 1.08)
    rate = human_therapist_rate()
    right.axhline(rate, color="#444444", linestyle="--", linewidth=1,
                  label=f"Human therapists ({pct(rate, 2)})")
    right.set_ylabel("Appropriate responses")
    right.set_title("By condition (all prompts)", fontsize=10)
    return conds, series


def appropriateness_by_messages_figure(by_message: pd.DataFrame, judge: str) -> RenderedFigure:
    """Appropriate-response rate against the number of preceding transcript messages."""
    t = _with_label(by_message[by_message["judge"] == judge]).sort_values("message_number")
    labels = _labels(t)
    fig = _new_figure(11, 4.8)
    ax = fig.add_subplot()
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    alt_parts = []
    steps = np.diff(np.unique(t["message_number"].to_numpy(dtype=float)))
    spacing = float(steps.min()) if steps.size else 1.0
    bands = len(labels) <= 3
    for i, lab in enumerate(labels):
        s = t[t["label"] == lab]
        colour, _ = _style(i)
        # With many series, dodge them sideways and draw error bars instead of bands.
        offset = 0.0 if bands else spacing * 0.5 * ((i + 0.5) / len(labels) - 0.5)
        x = s["message_number"].to_numpy(dtype=float) + offset
        r = s["rate"].to_numpy(dtype=float)
        lo = s["ci_low"].to_numpy(dtype=float)
        hi = s["ci_high"].to_numpy(dtype=float)
        ax.plot(x, r, marker=markers[i % len(markers)], color=colour, label=plain(lab),
                linewidth=1.5, markersize=5, linestyle="-" if i < len(OKABE_ITO) else "--")
        if bands:
            ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)
        else:
            ax.errorbar(x, r, yerr=np.vstack([np.clip(r - lo, 0, None),
                                              np.clip(hi - r, 0, None)]),
                        fmt="none", ecolor=colour, elinewidth=0.8, capsize=1.5, alpha=0.8)
        alt_parts.append(f"{lab}: " + ", ".join(
            f"{int(m)} messages {pct(r, 0)} (n={n})"
            for m, r, n in zip(s["message_number"], s["rate"], s["n"], strict=True)))
    rate = human_therapist_rate()
    ax.axhline(rate, color="#444444", linestyle="--", linewidth=1,
               label=f"Human therapists, standalone ({pct(rate, 2)})")
    _percent_axis(ax, 1.05)
    ax.set_xlabel("Transcript messages before the stimulus (0 = standalone)")
    ax.set_ylabel("Appropriate responses")
    ax.set_title(f"Appropriateness against preceding messages — judge: {plain(judge, 60)}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside right center", fontsize=8,
               frameon=False)
    caption = (
        f"Share of responses judged appropriate by {judge}, by how many transcript messages "
        "preceded the stimulus; non-responsive replies count as not appropriate. 95% "
        "intervals as " + ("shaded bands" if bands else "error bars (series are offset "
                           "sideways to stay apart)") + ": "
        + interval_note(list(t["ci_method"]), "transcript").removeprefix(
            "Error bars: 95% intervals, ").replace("bar", "point")
        + " Few prompts sit at the longest positions, so those intervals are wide."
    )
    slug = "".join(ch if ch.isalnum() else "-" for ch in judge)[:40]
    return RenderedFigure(f"appropriateness_messages_{slug}", to_data_uri(fig),
                          "Line chart. " + "; ".join(alt_parts), caption)


def render_figures(tables: dict[str, pd.DataFrame]) -> dict[str, list[RenderedFigure]]:
    """All figures for the tables from :func:`therapy_audit.analysis.tables.build_tables`.

    Keys: "stigma", "attribution", "appropriateness" (absent experiments give no key).
    """
    out: dict[str, list[RenderedFigure]] = {}
    if "stigma_by_condition" in tables and not tables["stigma_by_condition"].empty:
        out["stigma"] = [
            stigma_by_condition_figure(tables["stigma_by_condition"], tables.get("significance")),
            stigma_questions_figure(tables["stigma_by_question"]),
        ]
        if not tables["attribution_vs_humans"].empty:
            out["attribution"] = [attribution_figure(tables["attribution_vs_humans"])]
    if "appropriateness_overall" in tables and not tables["appropriateness_overall"].empty:
        figs = []
        for judge in dict.fromkeys(tables["appropriateness_overall"]["judge"]):
            figs.append(appropriateness_figure(
                tables["appropriateness_standalone_vs_transcript"],
                tables["appropriateness_overall"], tables["appropriateness_by_condition"],
                tables["appropriateness_references"], judge))
            figs.append(appropriateness_by_messages_figure(
                tables["appropriateness_by_message_number"], judge))
        out["appropriateness"] = figs
    return out
