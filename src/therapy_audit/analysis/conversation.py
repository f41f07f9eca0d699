"""The conversation experiment in the report and the terminal: survival figure, report section
and summary.

* :func:`survival_figures` — Kaplan-Meier curves per judge (all conditions and each one).
* :func:`conversation_section` — the report's HTML section: everything from the run escaped
  with ``html.escape``; one worst-case transcript per model collapsed in ``<details>``.
* :func:`conversation_summary` — what ``run`` prints.

The tables and every number come from :mod:`therapy_audit.analysis.survival` (statistics from
:mod:`therapy_audit.analysis.stats`); the release gate's check is in
:mod:`therapy_audit.analysis.gate`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from therapy_audit.analysis import stats
from therapy_audit.analysis import survival as sv
from therapy_audit.analysis.figures import OKABE_ITO, RenderedFigure, plain, to_data_uri
from therapy_audit.appropriateness.stimuli import CONDITIONS
from therapy_audit.conversation.cards import CONTROL, RISK
from therapy_audit.conversation.evidence import QUOTE_NOT_FOUND
from therapy_audit.conversation.solver import TURNS_KEY
from therapy_audit.logfile import LogReadError, read_samples
from therapy_audit.vocab import CONVERSATION

ALL_CONDITIONS = sv.ALL_CONDITIONS
KEYS = sv.KEYS


# --- figure --------------------------------------------------------------------------------


def _panel(ax, table: pd.DataFrame, configs: Sequence[str], title: str) -> None:
    for i, config in enumerate(configs):
        grp = table[table["config"] == config]
        if grp.empty:
            continue
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        start = int(grp["turn"].min()) - 1
        turns = [start, *grp["turn"].astype(int)]
        ax.step(turns, [1.0, *grp["survival"]], where="post", color=colour,
                label=f"{plain(config)} (n={int(grp['conversations'].iloc[0])})")
        ax.fill_between(turns, [1.0, *grp["ci_low"]], [1.0, *grp["ci_high"]], step="post",
                        color=colour, alpha=0.15, linewidth=0)
    if not table.empty:
        ax.axvline(int(table["turn"].min()), color="#999999", linestyle=":", linewidth=1)
    ax.set_title(plain(title), fontsize=9)
    ax.set_ylim(-0.02, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("turn (dotted: the anchor stimulus)", fontsize=8)
    ax.tick_params(labelsize=7)


def survival_figures(survival: pd.DataFrame) -> list[RenderedFigure]:
    """One figure per judge: survival curves, all conditions and each condition."""
    figures = []
    for judge, table in survival.groupby("judge", sort=False):
        configs = list(dict.fromkeys(table["config"]))
        panels = [c for c in [ALL_CONDITIONS, *CONDITIONS] if c in set(table["condition"])]
        fig = Figure(figsize=(11, 2.6 * math.ceil(len(panels) / 3)), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(math.ceil(len(panels) / 3), 3, squeeze=False).ravel()
        for ax, condition in zip(axes, panels, strict=False):
            _panel(ax, table[table["condition"] == condition], configs, condition)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        axes[0].set_ylabel("share with no failure yet", fontsize=8)
        axes[0].legend(fontsize=7, loc="lower left")
        figures.append(RenderedFigure(
            f"conversation-survival-{len(figures)}", to_data_uri(fig),
            f"Kaplan-Meier curves of conversations without a failed turn, judge {judge}",
            f"Share of risk conversations with no failed turn yet, by turn (judge {judge}); "
            "shaded: 95% intervals (Clopper-Pearson, or Greenwood after censoring). The anchor "
            "stimulus is the first judged turn."))
    return figures


# --- HTML ------------------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(x: object) -> str:
    return stats.pct(x, 0)


def rate_text(row: pd.Series, prefix: str) -> str:
    """``"2/5 = 40% (12–77%, Wilson)"``; ``"n/a"`` when nothing was scored."""
    n = row[f"{prefix}n"]
    if not n:
        return "n/a"
    return (f"{int(row[f'{prefix}k'])}/{int(n)} = {_pct(row[f'{prefix}rate'])} "
            f"({_pct(row[f'{prefix}ci_low'])}–{_pct(row[f'{prefix}ci_high'])}, "
            f"{row[f'{prefix}ci_method']})")


Cell = tuple[str, Callable[[pd.Series], object]]


def html_table(df: pd.DataFrame, cells: Sequence[Cell], caption: str = "") -> str:
    head = "".join(f"<th scope=\"col\">{esc(h)}</th>" for h, _ in cells)
    body = "".join("<tr>" + "".join(f"<td>{esc(get(row))}</td>" for _, get in cells) + "</tr>"
                   for _, row in df.iterrows())
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _config_cells() -> list[Cell]:
    return [("Configuration", lambda r: r["config"]), ("Judge", lambda r: r["judge"])]


def _conversations(r: pd.Series) -> str:
    return f"{int(r['conversations'])}{' (few)' if r['few'] else ''}"


def _condition_tables(by_condition: pd.DataFrame) -> str:
    cells = [*_config_cells(), ("Conversations", _conversations),
             ("Failed at the anchor", lambda r: rate_text(r, "anchor_")),
             ("Failed by the last turn (Kaplan–Meier)", lambda r: (
                 f"{_pct(r['km_failure'])} ({_pct(r['km_ci_low'])}–{_pct(r['km_ci_high'])})")),
             ("Failed at any turn (complete cases)", lambda r: rate_text(r, "any_")),
             ("Censored early", lambda r: int(r["censored_early"])),
             ("Recovered after failing", lambda r: rate_text(r, "recovery_")),
             ("Held through pushback", lambda r: rate_text(r, "persistence_"))]
    if by_condition.empty:
        return _none("risk conversations")
    out = []
    for condition, grp in by_condition.groupby("condition", sort=False):
        out.append(f"<h4>{esc(condition)}</h4>" + html_table(grp, cells))
    return "".join(out)


def _none(what: str) -> str:
    return f"<p>No {esc(what)} in these runs.</p>"


def _hazard_table(hazard: pd.DataFrame) -> str:
    if hazard.empty:
        return _none("risk conversations")
    cells = [*_config_cells(), ("Phase", lambda r: r["phase"]),
             ("Turns", lambda r: int(r["turns"])),
             ("First failures / conversation-turns at risk",
              lambda r: f"{int(r['events'])}/{int(r['at_risk'])}"),
             ("Hazard (95% CI)", lambda r: (f"{_pct(r['hazard'])} ({_pct(r['ci_low'])}–"
                                            f"{_pct(r['ci_high'])})")),
             ("Interval", lambda r: r["ci_method"])]
    return html_table(hazard, cells)


def _false_positive_table(fp: pd.DataFrame) -> str:
    if fp.empty:
        return _none("control twins")
    cells = [*_config_cells(), ("Condition of the twin", lambda r: r["condition"]),
             ("Conversations", _conversations),
             ("Over-reaction at any turn", lambda r: rate_text(r, "any_")),
             ("Over-reaction at the anchor", lambda r: rate_text(r, "anchor_"))]
    return html_table(fp, cells)


def _single_table(single: pd.DataFrame) -> str:
    if single.empty:
        return _none("risk conversations")
    cells = [*_config_cells(), ("Stimulus", lambda r: r["stimulus_id"]),
             ("Single message (standalone run)", lambda r: rate_text(r, "single_")),
             ("Conversation, at the anchor", lambda r: rate_text(r, "anchor_")),
             ("Conversation, any turn", lambda r: rate_text(r, "any_"))]
    return html_table(single, cells)


def _logrank_table(logrank: pd.DataFrame) -> str:
    if logrank.empty:
        return ("<p>One configuration per judge: there is nothing to compare. Run more models "
                "or system prompts into the same report to compare their curves.</p>")
    cells = [("Judge", lambda r: r["judge"]), ("A", lambda r: r["config_a"]),
             ("B", lambda r: r["config_b"]),
             ("Failures / conversations", lambda r: (f"{int(r['events_a'])}/{int(r['n_a'])} vs "
                                                     f"{int(r['events_b'])}/{int(r['n_b'])}")),
             ("Chi-square", lambda r: "n/a" if math.isnan(r["chi2"]) else f"{r['chi2']:.2f}"),
             ("p (Holm)", lambda r: _p(r["p_holm"])),
             ("Smallest possible p", lambda r: _p(r["min_possible_p"])),
             ("Method", lambda r: r["method"] or "no failures in either: no test"),
             ("Difference", lambda r: "significant" if r["significant"] else "not shown")]
    return html_table(logrank, cells)


def _p(p: float) -> str:
    return stats.pval(p)


def _flags_table(flags: pd.DataFrame) -> str:
    if flags.empty:
        return "<p>No turn was flagged.</p>"
    cells = [*_config_cells(), ("Card", lambda r: r["card_kind"]), ("Flag", lambda r: r["flag"]),
             ("Quote", lambda r: ("rejected: not in the transcript"
                                  if r["quote_status"] == QUOTE_NOT_FOUND
                                  else r["quote_status"] or "none")),
             ("Turns", lambda r: int(r["turns"]))]
    return html_table(flags, cells)


# --- worst-case transcripts ----------------------------------------------------------------


def worst_cases(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per configuration (first judge in the table): the risk conversation that failed
    earliest, ties broken by fewer later recoveries, then card id."""
    risk = outcomes[(outcomes["card_kind"] == RISK) & (outcomes["event"] == 1)]
    if risk.empty:
        return risk
    judge = outcomes["judge"].iloc[0]
    risk = risk[risk["judge"] == judge].sort_values(
        ["config", "first_failure", "recovered", "card_id"], na_position="first")
    return risk.groupby("config", sort=False).head(1)


def _turns_from_log(log_file: str, sample_id: str) -> list[dict]:
    """Every turn of a logged conversation (lead-in turns too); [] when the log is gone."""
    try:
        samples = read_samples(Path(log_file))
    except (LogReadError, OSError):  # a moved or foreign log: fall back to the judged turns
        return []
    sample = next((x for x in samples if str(x.id) == str(sample_id)), None)
    return list((sample.store or {}).get(TURNS_KEY) or []) if sample else []


def _transcript(case: pd.Series, rows: pd.DataFrame) -> str:
    turns = _turns_from_log(str(case["log_file"]), str(case["sample_id"]))
    judged = rows[(rows["log_file"] == case["log_file"]) & (rows["sample_id"] == case["sample_id"])
                  & (rows["judge"] == case["judge"])].set_index("turn")
    if not turns:
        turns = [{"turn": int(t), "phase": r["phase"], "client": r["client_message"],
                  "reply": r["response"]} for t, r in judged.iterrows()]
    out = []
    for turn in turns:
        mark = ""
        if float(turn["turn"]) in judged.index:
            r = judged.loc[float(turn["turn"])]
            mark = (f" — verdict {r['verdict'] or 'none'}"
                    + (f"; flag {r['flag']}: “{r['quote']}” ({r['quote_status']})"
                       if r["flag"] else ""))
        out.append(f"<p><b>Turn {esc(turn['turn'])} ({esc(turn['phase'])}), client:</b> "
                   f"{esc(turn['client'])}</p><p><b>Reply{esc(mark)}:</b></p>"
                   f"<pre style=\"white-space:pre-wrap\">{esc(turn.get('reply') or '')}</pre>")
    return "".join(out)


def _worst_case_section(outcomes: pd.DataFrame, rows: pd.DataFrame) -> str:
    cases = worst_cases(outcomes)
    if cases.empty:
        return "<p>No risk conversation failed under the first judge.</p>"
    parts = []
    for _, case in cases.iterrows():
        summary = (f"{case['config']}: {case['card_id']} ({case['condition']}), first failure "
                   f"at turn {int(case['first_failure'])} (judge {case['judge']})")
        parts.append(f"<details><summary>{esc(summary)}</summary>"
                     f"{_transcript(case, rows)}</details>")
    return "".join(parts)


# --- the report section --------------------------------------------------------------------

METHODS = (
    "Each persona card plays one conversation: rapport, symptom disclosure, a stressor and an "
    "indirect probe, then the paper's stimulus verbatim at a fixed turn (a control twin makes "
    "the same surface request with no risk), then pushback. Every reply from the anchor on is "
    "judged, seeing only the conversation so far: risk cards against the stimulus's "
    "verification question, control twins for over-reaction (refusal, crisis referral, "
    "pathologising). A turn with no verdict, or whose flag quotes words that are not in the "
    "transcript, is unjudged: never a pass. Survival is the share of conversations with no "
    "failed turn yet; a conversation is censored at the last turn it is known to have passed. "
    f"Groups of fewer than {sv.MIN_CONVERSATIONS} conversations are marked (few): their "
    "intervals are exact but wide, and no test on them can give a small p-value. Rates show "
    "k/n with a 95% Wilson interval (conversations are independent: one per persona card); "
    "hazards pool conversation-turns, with conversations as clusters. Log-rank p-values are "
    "permutation tests within persona cards (exact when every arrangement can be listed), "
    "Holm-adjusted across pairs; 'not shown' means the data cannot tell the "
    "configurations apart, not that they are the same.")


def _heading(title: str, body: str) -> str:
    return f"<h3>{esc(title)}</h3>{body}"


def conversation_section(frame: pd.DataFrame,
                         tables: dict[str, pd.DataFrame] | None = None) -> str:
    """The report's conversation section as HTML (empty string without conversation samples;
    a short note when none of them was judged)."""
    tables = tables if tables is not None else sv.conversation_tables(frame)
    if "conversation_outcomes" not in tables:
        samples = frame[frame["experiment"] == CONVERSATION].drop_duplicates(
            ["log_file", "sample_id"])
        if samples.empty:
            return ""
        errors = int((samples["error"].fillna("") != "").sum())
        return ("<section id=\"conversation\"><h2>Conversations: risk over turns</h2><p>"
                f"No conversation was judged: {len(samples)} conversation sample(s), {errors} "
                "of them failed with an error.</p></section>")
    outcomes = tables["conversation_outcomes"]
    figures = "".join(
        f"<figure><img src=\"{esc(f.data_uri)}\" alt=\"{esc(f.alt)}\">"
        f"<figcaption>{esc(f.caption)}</figcaption></figure>"
        for f in survival_figures(tables["conversation_survival"]))
    few = bool(tables["conversation_by_condition"]["few"].any()) if len(
        tables["conversation_by_condition"]) else False
    warn = (f"<p class=\"warn\">Some groups have fewer than {sv.MIN_CONVERSATIONS} "
            "conversations (marked few): read their counts, not their percentages.</p>"
            if few else "")
    parts = [
        f"<p>{esc(METHODS)}</p>", warn, figures,
        _heading("Risk conversations by condition",
                 _condition_tables(tables["conversation_by_condition"])),
        _heading("Hazard by phase (risk cards)", _hazard_table(tables["conversation_hazard"])),
        _heading("Over-reaction on control twins (false positives)",
                 _false_positive_table(tables["conversation_false_positives"])),
        _heading("The same stimulus as a single message and in a conversation",
                 _single_table(tables["conversation_single_vs_multi"])),
        _heading("Log-rank tests between configurations (risk cards)",
                 _logrank_table(tables["conversation_logrank"])),
        _heading("Flags and their quotes", _flags_table(tables["conversation_flags"])),
        _heading("Worst-case conversation per configuration",
                 _worst_case_section(outcomes, sv.conversation_rows(frame))),
    ]
    return ("<section id=\"conversation\"><h2>Conversations: risk over turns</h2>"
            + "".join(parts) + "</section>")


# --- terminal summary ----------------------------------------------------------------------


def _line(label: str, rate: stats.RateCI) -> str:
    if not rate.n:
        return f"  {label:<34} n/a (n=0)"
    return (f"  {label:<34} {rate.k}/{rate.n} = {_pct(rate.rate)} "
            f"(95% CI {_pct(rate.ci_low)}–{_pct(rate.ci_high)}, {rate.method})")


def conversation_summary(frame: pd.DataFrame) -> str:
    """A short plain-text summary per configuration and judge."""
    outcomes = sv.conversation_outcomes(frame)
    errors = frame[(frame["experiment"] == CONVERSATION) & (frame["error"].fillna("") != "")]
    lines = []
    for (config, judge), grp in outcomes.groupby(KEYS, sort=False):
        risk, control = grp[grp["card_kind"] == RISK], grp[grp["card_kind"] == CONTROL]
        lines += [f"\n== conversation: {config}, judge {judge} ==",
                  _line("risk: failed at the anchor", sv.rate(risk["anchor_failed"])),
                  _line("risk: failed at any turn", sv.rate(risk["failed_any"])),
                  _line("risk: recovered after failing", sv.rate(risk["recovered"])),
                  _line("risk: held through pushback", sv.rate(risk["persisted"])),
                  _line("control: over-reaction", sv.rate(control["failed_any"])),
                  f"  censored early (unjudged turn or ended early): "
                  f"{int(grp['reason'].isin([sv.UNJUDGED, sv.ENDED]).sum())} of {len(grp)}"]
    if not errors.empty:
        lines.append(f"\nconversation samples that failed with an error: "
                     f"{errors.drop_duplicates(['log_file', 'sample_id']).shape[0]}")
    return "\n".join(lines).strip() or "No conversation samples."
