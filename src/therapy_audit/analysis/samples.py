"""The sample table as the analysis reads it: normalised columns, configurations and the rows
that enter each experiment's rates.

Every analysis module starts here: :func:`normalise` makes any sample table (see
:mod:`therapy_audit.table`; a stigma-only table, a table with both experiments, an empty one)
carry every schema column with numeric columns as floats, and :func:`stigma_rows` and
:func:`appropriateness_rows` select what the rates are computed from. A *configuration* is a
(``model``, ``system_prompt``) pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from therapy_audit.appropriateness import rows as appropriateness_schema
from therapy_audit.appropriateness.nonresponsive import NEVER_PRODUCED
from therapy_audit.stigma import rows as stigma_schema
from therapy_audit.stigma.questions import STIGMA_QUESTIONS
from therapy_audit.table import COMMON_COLUMNS

CONFIG_COLS = ["model", "system_prompt"]
# The headline appropriateness value: the judge's call, except that a non-responsive reply
# (see appropriateness.nonresponsive) counts as not appropriate. ``appropriate`` itself stays
# the judge's literal call: the paper-faithful value.
HEADLINE = "appropriate_headline"
# Samples of two judges are the same sample when these match.
AGREEMENT_KEYS = ["model", "system_prompt", "sample_id"]

NUMERIC_COLUMNS = [
    "code",
    "stigma",
    "lenient_code",
    "lenient_stigma",
    "message_number",
    "dropped_messages",
    "appropriate",
]
ALL_COLUMNS = list(dict.fromkeys(
    COMMON_COLUMNS + stigma_schema.COLUMNS + appropriateness_schema.COLUMNS))


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with every schema column present and numeric columns as floats.

    Missing text columns become ``""`` and missing numeric ones NaN, so a stigma-only table
    and a table with both experiments go through the same code.
    """
    out = df.copy()
    for col in ALL_COLUMNS:
        if col not in out.columns:
            out[col] = math.nan if col in NUMERIC_COLUMNS else ""
    for col in NUMERIC_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ALL_COLUMNS:
        if col not in NUMERIC_COLUMNS:
            out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    # Which judge decided each verdict (a cascade's first or later judge); a table without
    # the column, or a row without a value, was decided by its judge.
    decided_by = (out["decided_by"].astype(object).where(out["decided_by"].notna(), "")
                  .astype(str) if "decided_by" in out.columns else out["judge"])
    out["decided_by"] = decided_by.where(decided_by != "", out["judge"])
    return out


def config_label(model: str, system_prompt: str) -> str:
    """Display label of a configuration, e.g. ``"llama3.1-8b · steel-man"``."""
    return f"{model} · {system_prompt}"


def configurations(df: pd.DataFrame) -> list[tuple[str, str]]:
    """The (model, system_prompt) pairs in ``df``, in order of first appearance."""
    if df.empty:
        return []
    pairs = df[CONFIG_COLS].astype(str).drop_duplicates()
    return [(str(m), str(s)) for m, s in pairs.itertuples(index=False)]


def of_config(rows: pd.DataFrame, config: tuple[str, str]) -> pd.DataFrame:
    """The rows of one configuration."""
    return rows[(rows["model"] == config[0]) & (rows["system_prompt"] == config[1])]


def stigma_rows(df: pd.DataFrame, questions: Sequence[str] = tuple(STIGMA_QUESTIONS)
                ) -> pd.DataFrame:
    """Stigma-experiment rows for ``questions`` (the six stigma questions), with ``cluster``."""
    d = normalise(df)
    rows = d[(d["experiment"] == "stigma") & d["question_id"].isin(list(questions))]
    return rows.assign(cluster=cluster_ids(rows))


def appropriateness_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Appropriate-responses rows with a judge (one per sample and judge), with ``HEADLINE``
    and ``cluster``.

    Rows with an empty ``judge`` (no judge ran, e.g. the model call failed) belong to no
    judge's rate; the outcome counts count them. ``HEADLINE`` is 0 for a non-responsive reply
    whatever the judge said (or whether it said anything), else the judge's ``appropriate``.
    """
    d = normalise(df)
    d = d[d["experiment"] == "appropriateness"]
    rows = pd.concat([d[d["judge"] != ""], _never_produced_per_judge(d)], ignore_index=True)
    return rows.assign(**{HEADLINE: rows["appropriate"].where(rows["nonresponsive"] == "", 0.0)},
                       cluster=cluster_ids(rows))


def _never_produced_per_judge(d: pd.DataFrame) -> pd.DataFrame:
    """A copy of each never-produced row (an imported record with no response; no judge ran)
    for every judge of its configuration, so that the headline rate counts it as not
    appropriate, as the paper's figures do. Its ``appropriate`` stays NaN: the judge's own
    rate (``appropriate``) is over the responses it judged."""
    never = d[(d["judge"] == "") & (d["nonresponsive"] == NEVER_PRODUCED)]
    if never.empty:
        return never
    judged = d[d["judge"] != ""][CONFIG_COLS + ["judge"]].drop_duplicates()
    return never.drop(columns=["judge"]).merge(judged, on=CONFIG_COLS, how="inner")


def decided(rows: pd.DataFrame) -> pd.Series:
    """Rows whose judge decided: a yes/no verdict, so ``appropriate`` is 1 or 0."""
    return rows["appropriate"].notna()


def responses(rows: pd.DataFrame) -> pd.Series:
    """Rows with a response for the judge to judge (the model call did not fail)."""
    return rows["error"] == ""


def setting(rows: pd.DataFrame) -> pd.Series:
    """"standalone" (no transcript messages before the stimulus) or "in transcript"."""
    return rows["message_number"].fillna(0).map(
        lambda m: "standalone" if m == 0 else "in transcript")


# What samples that share a cluster share, per experiment (named in captions and methods).
CLUSTER_UNITS = {"stigma": "vignette", "appropriateness": "transcript"}


def cluster_ids(rows: pd.DataFrame) -> pd.Series:
    """The cluster of each row's sample: samples in one cluster are not independent.

    Stigma: the vignette (condition, race, gender, education), whose 14 questions share it.
    Appropriateness: the transcript a stimulus was placed in; a standalone stimulus (no
    transcript before it) is a cluster of its own.
    """
    vignette = ("vignette:" + rows["condition"].astype(str) + "|" + rows["race"].astype(str)
                + "|" + rows["gender"].astype(str) + "|" + rows["education"].astype(str))
    in_transcript = (rows["message_number"].fillna(0) > 0) & (rows["transcript_id"] != "")
    transcript = "transcript:" + rows["transcript_id"].astype(str)
    own = "sample:" + rows["log_file"].astype(str) + "|" + rows["sample_id"].astype(str)
    ids = np.where(rows["experiment"] == "stigma", vignette,
                   np.where(in_transcript, transcript, own))
    return pd.Series(ids, index=rows.index, dtype=object)
