"""What the CLI's commands do: run the experiments, import recorded results, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from therapy_audit.prompts import resolve_system_prompt
from therapy_audit.runs import load_samples, log_dir_for


@dataclass
class RunResult:
    complete: bool
    summary: str
    log_dirs: list[Path]


def _validate_model(model: str, model_args: dict, base_url: str | None):
    """Construct the model now so an unknown model or missing key fails before any work."""
    from inspect_ai.model import get_model

    try:
        return get_model(model, base_url=base_url, **model_args)
    except Exception as err:  # Inspect raises several types for these
        message = " ".join(str(err).split())
        if type(err).__name__ in ("PrerequisiteError",) or "api key" in message.lower() \
                or "environment variable" in message.lower():
            raise ValueError(f"model {model}: {message}") from err
        raise ValueError(f"cannot use model {model!r}: {message}") from err


def _run_eval(task, log_dir: Path, model, limit: int | None, max_connections: int | None,
              local: bool, model_roles: dict | None = None) -> bool:
    from inspect_ai import eval_set

    log_dir.mkdir(parents=True, exist_ok=True)
    # A local model takes as many samples at once as its provider serves together: 1 on the
    # single-sequence path (-M batching=false), twice the batch with the batching engine.
    local_limit = model.api.max_connections() if local else None
    ok, _ = eval_set(
        [task],
        log_dir=str(log_dir),
        model=model,
        model_roles=model_roles,
        limit=limit,
        max_connections=local_limit if local else max_connections,
        max_samples=local_limit if local else None,
        fail_on_error=False,
        retry_attempts=2,
        retry_wait=1,
        log_level="warning",
    )
    return bool(ok)


def run_replay(task, model: str, records: dict[str, str | None], recording: Path,
               log_dir: Path, model_roles: dict | None = None) -> bool:
    """Run ``task`` on ``replay/…`` outputs recorded elsewhere, replacing an earlier import.

    The recording is written first; the log directory is emptied so that a re-import is not
    mistaken by ``eval_set`` for finished work; and the replay model is not memoized, so a
    re-import in the same process reads the new recording.
    """
    from inspect_ai.model import get_model

    from therapy_audit.models.replay import write_recording
    from therapy_audit.runs import replace_logs

    recording.parent.mkdir(parents=True, exist_ok=True)
    write_recording(recording, records)
    replace_logs(log_dir)
    replay = get_model(model, recording=str(recording), memoize=False)
    return _run_eval(task, log_dir, replay, None, None, local=False, model_roles=model_roles)


def run_audit(
    experiments: list[str],
    model: str,
    model_args: dict[str, Any],
    model_base_url: str | None,
    system_prompt: str,
    limit: int | None,
    stimuli: str | None,
    parser: str,
    transcripts: str,
    all_transcripts: bool,
    interval: int,
    judges: list[str],
    contextualize: str | None,
    max_connections: int | None,
    run_dir: Path,
) -> RunResult:
    """Run the chosen experiments into ``run_dir``; rerunning resumes what is missing."""
    preset = resolve_system_prompt(system_prompt)
    tasks = []
    if "stigma" in experiments:
        from therapy_audit.stigma.dataset import stigma_dataset
        from therapy_audit.stigma.task import build_stigma_task

        dataset = stigma_dataset(preset, stimuli)
        tasks.append(("stigma", build_stigma_task(dataset, preset.label, parser)))
    if "appropriateness" in experiments:
        from therapy_audit.appropriateness.dataset import appropriateness_samples
        from therapy_audit.appropriateness.task import build_appropriateness_task
        from therapy_audit.appropriateness.transcripts import load_transcripts

        for judge in judges:
            if judge != "rules":
                _validate_model(judge, {}, None)
        samples = appropriateness_samples(preset, load_transcripts(transcripts), interval,
                                          all_transcripts)
        tasks.append(("appropriateness",
                      build_appropriateness_task(samples, preset.label, judges, contextualize)))
    resolved = _validate_model(model, model_args, model_base_url)
    complete = True
    log_dirs = []
    for experiment, task in tasks:
        log_dir = log_dir_for(run_dir, experiment, model, preset.label)
        log_dirs.append(log_dir)
        print(f"Running {experiment} on {model} (system prompt: {preset.label}) -> {log_dir}")
        complete &= _run_eval(task, log_dir, resolved, limit, max_connections,
                              local=model.startswith("local/"))
    frame = load_samples(log_dirs)
    return RunResult(complete, summarise(frame), log_dirs)


def write_run_report(run_dir: Path) -> Path:
    from therapy_audit.analysis.report import write_report

    return write_report(load_samples([run_dir]), run_dir / "report.html",
                        csv_dir=run_dir / "tables")


# --- terminal summary -------------------------------------------------------------------

def _rate(series: pd.Series) -> str:
    values = series.dropna()
    return f"{values.mean():.1%} (n={len(values)})" if len(values) else "n/a (n=0)"


def summarise(frame: pd.DataFrame) -> str:
    """A short plain-text summary of a run, per model and system prompt."""
    if frame.empty:
        return "No samples."
    from therapy_audit.schema import ATTRIBUTION_QUESTIONS, CONDITION_ABBREVIATIONS

    lines = []
    for (model, preset, experiment), rows in frame.groupby(
        ["model", "system_prompt", "experiment"], sort=False
    ):
        lines.append(f"\n== {experiment}: {model} (system prompt: {preset}) ==")
        if experiment == "stigma":
            lines.append("Stigma rate (stigmatising answers / coded stigma-question answers):")
            for condition, abbr in CONDITION_ABBREVIATIONS.items():
                sel = rows[rows["condition"] == condition]
                lines.append(f"  {abbr} {condition:<20} {_rate(sel['stigma'])}")
            not_control = rows[rows["condition"] != "daily troubles"]
            lines.append(f"  overall (not control)    {_rate(not_control['stigma'])}")
            attr = rows[rows["question_id"].isin(ATTRIBUTION_QUESTIONS)]
            lines.append("Attribution beliefs (share answering likely), by condition:")
            for condition, abbr in CONDITION_ABBREVIATIONS.items():
                sel = attr[attr["condition"] == condition]
                lines.append(f"  {abbr} {condition:<20} {_rate(sel['code'])}")
            counts = rows["parse_status"].value_counts()
            lines.append(
                f"Outcomes: {len(rows)} samples; ok {counts.get('ok', 0)}, "
                f"do not know {counts.get('do_not_know', 0)}, "
                f"unparseable {counts.get('unparseable', 0)}, errors {counts.get('error', 0)}"
            )
        else:
            for judge, jrows in rows.groupby("judge", sort=False):
                name = judge or "(no judge: errored samples)"
                lines.append(f"Appropriate responses, judge {name}:")
                lines.append(f"  overall                  {_rate(jrows['appropriate'])}")
                alone = jrows[jrows["message_number"] == 0]
                inside = jrows[jrows["message_number"] > 0]
                lines.append(f"  standalone               {_rate(alone['appropriate'])}")
                lines.append(f"  in transcripts           {_rate(inside['appropriate'])}")
                for condition, crow in jrows.groupby("condition", sort=False):
                    lines.append(f"  {condition:<24} {_rate(crow['appropriate'])}")
                lines.append(
                    f"  unjudged {int(jrows['appropriate'].isna().sum())}, errors "
                    f"{int((jrows['error'] != '').sum())}, trimmed contexts "
                    f"{int((jrows['dropped_messages'] > 0).sum())}"
                )
    return "\n".join(lines).strip()


# --- importing the paper's results ----------------------------------------------------------

def import_paper_stigma(files: list[Path], run_dir: Path) -> str:
    """Score the paper's stigma results files with our parser and coding (replayed outputs)."""
    from therapy_audit.importers.paper_stigma import import_stigma_files

    return import_stigma_files(files, run_dir)


def import_paper_responses(files: list[Path], run_dir: Path, judges: list[str]) -> str:
    """Re-judge responses recorded by the paper's code; keep the paper's labels as a judge."""
    from therapy_audit.importers.paper_responses import import_responses

    return import_responses(files, run_dir, judges)


def agreement_summary(run_dir: Path, reference: str) -> str:
    from therapy_audit.analysis.agreement import agreement_table

    frame = load_samples([run_dir])
    frame = frame[frame["experiment"] == "appropriateness"]
    if frame.empty:
        raise ValueError(f"no appropriateness samples in {run_dir}")
    ref_name = "paper:gpt-4o-2024-08-06" if reference == "paper" else reference
    judges = sorted(set(frame["judge"]) - {"", ref_name})
    ref = frame[frame["judge"] == ref_name]
    if ref.empty:
        raise ValueError(f"no verdicts of reference judge {ref_name!r} in {run_dir}")
    out = []
    keys = ["log_file", "sample_id"]
    for judge in judges:
        pair = ref.merge(frame[frame["judge"] == judge], on=keys, suffixes=("_ref", ""))
        pair = pair[(pair["verdict_ref"] != "") & (pair["verdict"] != "")]
        pair = pair.rename(columns={"stimulus_id": "stimulus"})
        table = agreement_table(
            pd.DataFrame({"judge": pair["verdict"], "reference": pair["verdict_ref"],
                          "stimulus": pair["stimulus"]}), "stimulus")
        shown = table.drop(columns=["n_undefined_resamples"], errors="ignore").round(3)
        out.append(f"Agreement of {judge} with {ref_name} (Cohen's kappa, bootstrap 95% CI):\n"
                   f"{shown.to_string(index=False)}")
    return "\n\n".join(out) if out else "No other judge to compare."
