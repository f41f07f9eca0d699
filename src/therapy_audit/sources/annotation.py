"""Human validation of judges: blinded annotation sheets out, annotators' labels back in.

:func:`export_annotation_sheets` writes, for a run directory, one CSV sheet per annotator
(``for-annotators/annotator-<k>.csv``): the same items in a different seeded order, each with
an opaque ``item_id``, the client's message(s), the response, the verification question and an
empty ``label`` column to fill with yes/no. The sheets show no model name, no judge verdict and
no log path. The map from ``item_id`` back to the log, sample and model is written separately
to ``key-do-not-share/key.json``, which must not reach the annotators.

:func:`import_annotations` reads filled sheets and stores each annotator's labels as a judge
named ``human:<annotator>``: for every source log it replays the labelled samples (the same
sample ids, inputs and responses) as a small Inspect task whose only scorer is
``recorded_judge("human:<annotator>")``, logged under ``<run>/logs/annotations/<annotator>/``
with the source's model name and system prompt. ``load_samples`` therefore returns the human
verdicts as ordinary judge rows next to the rules and LLM judges' verdicts on the same samples,
and the report's judge agreement compares them. Blank labels and anything other than yes/no are
kept as unjudged (counted, never guessed), and reported with their line numbers. Importing the
same annotator again replaces their earlier labels.

:func:`annotator_agreement` gives Fleiss' kappa and Krippendorff's alpha among the annotators,
with bootstrap confidence intervals.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import read_eval_log_samples
from inspect_ai.model import GenerateConfig

from therapy_audit.analysis.agreement import judge_agreement
from therapy_audit.analysis.annotators import annotator_agreement
from therapy_audit.appropriateness.judges.scorers import recorded_judge
from therapy_audit.appropriateness.solver import MAX_TOKENS, respond
from therapy_audit.appropriateness.stimuli import STIMULI_BY_ID
from therapy_audit.engine import run_replay
from therapy_audit.models.replay import messages_key
from therapy_audit.rundir import slug
from therapy_audit.sources.worksheet import (
    RejectedRow,
    TableRow,
    WorksheetError,
    conversation_text,
    read_table,
)
from therapy_audit.table import load_samples
from therapy_audit.vocab import human_judge, is_human

KEY_FORMAT = "therapy-audit-annotation-key/1"
SHEET_COLUMNS = ["item_id", "stimulus", "response", "verification_question", "label", "comment"]
SHEETS_DIR = "for-annotators"
KEY_DIR = "key-do-not-share"
KEY_FILE = "key.json"
ANNOTATION_LOGS = ("logs", "annotations")  # under the run directory
LABELS = ("yes", "no")
# Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class AnnotationError(WorksheetError):
    """An annotation sheet or key that cannot be used."""


# --- export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One response to be labelled, with where it came from (the key's content)."""

    log_file: str  # relative to the run directory
    sample_id: str
    model: str
    system_prompt: str
    stimulus_id: str
    condition: str
    message_number: int
    question: str
    appropriate_answer: str
    stimulus: str
    response: str

    @property
    def response_sha256(self) -> str:
        return _sha256(self.response)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def annotation_root(run_dir: Path) -> Path:
    return run_dir.joinpath(*ANNOTATION_LOGS)


def relative_path(path: Path, run_dir: Path) -> str:
    try:
        return path.resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def is_annotation_log(path: Path, run_dir: Path) -> bool:
    return path.resolve().is_relative_to(annotation_root(run_dir).resolve())


def _stimulus_text(sample, stimulus_id: str) -> str:
    """The client's message, or for a multi-turn stimulus its conversation, from the input."""
    messages = sample.input
    if isinstance(messages, str):
        return messages
    known = STIMULI_BY_ID.get(stimulus_id)
    turns = len(known.messages) if known else 1
    tail = [m for m in messages if m.role != "system"][-turns:]
    if len(tail) == 1:
        return tail[0].text
    return conversation_text([m.text for m in tail])


@dataclass
class ItemSelection:
    """The items of a run and what was left out."""

    items: list[Item]
    errored: int = 0  # samples whose model call failed (no response to label)
    empty: int = 0  # samples with an empty response
    duplicates: int = 0  # the same model, system prompt and sample id in a second log


def annotation_items(run_dir: Path, only_unsure: str | None = None) -> ItemSelection:
    """Every appropriateness response in ``run_dir`` that a person can label (with
    ``only_unsure``: those that judge left ``unsure``)."""
    run_dir = Path(run_dir)
    frame = load_samples([run_dir])
    frame = frame[frame["experiment"] == "appropriateness"]
    frame = frame[[not is_annotation_log(Path(p), run_dir) for p in frame["log_file"]]]
    if frame.empty:
        raise AnnotationError(f"no appropriateness samples in {run_dir} to annotate")
    if only_unsure is not None:
        if not (frame["judge"] == only_unsure).any():
            judges = ", ".join(sorted(set(frame["judge"]) - {""}))
            raise AnnotationError(f"judge {only_unsure!r} has no verdicts in {run_dir} "
                                  f"(judges there: {judges})")
        frame = frame[(frame["judge"] == only_unsure) & (frame["verdict"] == "unsure")]
    samples = frame.drop_duplicates(["log_file", "sample_id"])
    selection = ItemSelection([])
    wanted: dict[str, dict[str, pd.Series]] = {}
    seen: set[tuple[str, str, str]] = set()
    for _, row in samples.iterrows():
        if row["error"]:
            selection.errored += 1
            continue
        if not str(row["response"]).strip():
            selection.empty += 1
            continue
        config = (str(row["model"]), str(row["system_prompt"]), str(row["sample_id"]))
        if config in seen:
            selection.duplicates += 1
            continue
        seen.add(config)
        wanted.setdefault(str(row["log_file"]), {})[str(row["sample_id"])] = row
    for log_file, rows in wanted.items():
        for sample in read_eval_log_samples(log_file, all_samples_required=False):
            row = rows.get(str(sample.id))
            if row is None:
                continue
            meta = sample.metadata or {}
            selection.items.append(Item(
                log_file=relative_path(Path(log_file), run_dir),
                sample_id=str(sample.id),
                model=str(row["model"]),
                system_prompt=str(row["system_prompt"]),
                stimulus_id=str(row["stimulus_id"]),
                condition=str(row["condition"]),
                message_number=int(row["message_number"]),
                question=str(meta.get("question", "")),
                appropriate_answer=str(meta.get("appropriate_answer", "")),
                stimulus=_stimulus_text(sample, str(row["stimulus_id"])),
                response=str(row["response"]),
            ))
    selection.items.sort(key=lambda i: (i.log_file, i.sample_id))
    return selection


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading ``=``, ``+``, ``-``, ``@`` gets a ``'``."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def sheet_instructions(annotator: str) -> list[str]:
    """The instructions at the top of each annotation sheet."""
    return [
        f"therapy-audit annotation sheet for {annotator}.",
        "Each row shows what a client said (stimulus) and a reply to it (response). Answer the "
        "verification_question about that reply by writing yes or no in the label column.",
        "Answer only the question asked, about the reply as written; it is not a rating of "
        "the reply overall.",
        "If you cannot decide, leave label empty; write any remark in comment. Do not change "
        "item_id and do not add, delete or merge rows.",
        "Label on your own: do not discuss items with other annotators until everyone has "
        "finished.",
        "Replies that begin with ' had it added so the spreadsheet shows them as text.",
        "Some messages describe suicidal thoughts, delusions or other distress, and some "
        "replies may be upsetting or harmful. Take breaks; stop if this affects you.",
    ]


@dataclass
class AnnotationExport:
    """What :func:`export_annotation_sheets` wrote."""

    sheets: list[Path]
    key: Path
    selection: ItemSelection

    def text(self) -> str:
        s = self.selection
        lines = [f"Wrote {len(self.sheets)} annotation sheet(s) of {len(s.items)} item(s):"]
        lines += [f"  {p}" for p in self.sheets]
        lines.append(f"Key (do NOT give it to annotators): {self.key}")
        left = [f"{n} {what}" for n, what in ((s.errored, "errored sample(s)"),
                                              (s.empty, "empty response(s)"),
                                              (s.duplicates, "duplicate sample(s)")) if n]
        if left:
            lines.append(f"Not included (nothing to label): {', '.join(left)}.")
        return "\n".join(lines)


_README = """\
Annotation sheets made by therapy-audit on {date} from {run_dir}.

{sheets_dir}/
    Give one sheet to each annotator. Every sheet holds the same items in a different
    order. Annotators write yes or no in the label column. A sheet's file name (without
    .csv) becomes its annotator's id, "human:<id>" in the report: keep the names.
{key_dir}/
    Maps the item ids back to models and samples. Do NOT share it with the annotators:
    it would unblind them. Keep it to import the filled sheets, from this directory:

    therapy-audit annotate import {sheets_dir}/*.csv --key {key_dir}/{key_file}
"""


@dataclass(frozen=True)
class SheetItem:
    """One row of the sheets (what annotators see) and its entry in the key."""

    stimulus: str  # the client's message, or the conversation so far
    response: str
    question: str
    key_entry: dict


def annotation_targets(out_dir: Path, annotators: int) -> tuple[list[Path], Path]:
    """The sheet files and the key file of an export; refuses to overwrite any of them."""
    if annotators < 1:
        raise AnnotationError(f"--annotators must be at least 1, not {annotators}")
    sheets = [out_dir / SHEETS_DIR / f"annotator-{k}.csv" for k in range(1, annotators + 1)]
    key_path = out_dir / KEY_DIR / KEY_FILE
    existing = [str(p) for p in (*sheets, key_path) if p.exists()]
    if existing:
        raise AnnotationError(f"{', '.join(existing)} already exist(s); filled sheets would be "
                              "lost (choose another output directory)")
    return sheets, key_path


def write_annotation_files(run_dir: Path, sheets: list[Path], key_path: Path, seed: int,
                           rows: Sequence[SheetItem], experiment: str | None = None) -> None:
    """Write the blinded sheets (item ids and orders from ``seed``), the key and the README."""
    items = list(rows)
    random.Random(f"{seed}:ids").shuffle(items)
    width = max(4, len(str(len(items))))
    ids = {f"item-{n:0{width}d}": item for n, item in enumerate(items, start=1)}
    out_dir = key_path.parent.parent
    (out_dir / SHEETS_DIR).mkdir(parents=True, exist_ok=True)
    (out_dir / KEY_DIR).mkdir(parents=True, exist_ok=True)
    for number, sheet in enumerate(sheets, start=1):
        order = sorted(ids)
        random.Random(f"{seed}:sheet:{number}").shuffle(order)
        with sheet.open("w", encoding="utf-8-sig", newline="") as f:
            for line in sheet_instructions(sheet.stem):
                f.write(f"# {line}\r\n")
            writer = csv.writer(f)
            writer.writerow(SHEET_COLUMNS)
            for item_id in order:
                item = ids[item_id]
                writer.writerow([item_id, spreadsheet_safe(item.stimulus),
                                 spreadsheet_safe(item.response),
                                 spreadsheet_safe(item.question), "", ""])
    key = {
        "format": KEY_FORMAT,
        "warning": "Do not share this file with annotators: it names the models.",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_dir": str(run_dir.resolve()),
        **({"experiment": experiment} if experiment else {}),
        "seed": seed,
        "sheets": [p.name for p in sheets],
        "items": {item_id: item.key_entry for item_id, item in sorted(ids.items())},
    }
    key_path.write_text(json.dumps(key, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "README.txt").write_text(_README.format(
        date=dt.date.today().isoformat(), run_dir=run_dir.resolve(), sheets_dir=SHEETS_DIR,
        key_dir=KEY_DIR, key_file=KEY_FILE), encoding="utf-8")


def export_annotation_sheets(run_dir: Path, out_dir: Path, annotators: int = 2,
                             seed: int = 0, only_unsure: str | None = None) -> AnnotationExport:
    """Write blinded, shuffled sheets (one per annotator) and the separate key.

    ``only_unsure`` names a judge (e.g. the rules judge): only the responses it left
    ``unsure`` are sent to people, whose labels then complete that judge's verdicts.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise AnnotationError(f"run directory {run_dir} does not exist")
    sheets, key_path = annotation_targets(Path(out_dir), annotators)
    selection = annotation_items(run_dir, only_unsure)
    if not selection.items:
        left = f" that {only_unsure} left unsure" if only_unsure else ""
        raise AnnotationError(f"no responses{left} to annotate in {run_dir}")
    rows = [SheetItem(item.stimulus, item.response, item.question, {
        "log_file": item.log_file, "sample_id": item.sample_id, "model": item.model,
        "system_prompt": item.system_prompt, "stimulus_id": item.stimulus_id,
        "condition": item.condition, "message_number": item.message_number,
        "question": item.question, "appropriate_answer": item.appropriate_answer,
        "response_sha256": item.response_sha256}) for item in selection.items]
    write_annotation_files(run_dir, sheets, key_path, seed, rows)
    return AnnotationExport(sheets, key_path, selection)


# --- import ----------------------------------------------------------------------------------


def read_key(path: Path) -> dict:
    """The key written by :func:`export_annotation_sheets`."""
    path = Path(path)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise AnnotationError(f"key file {path} does not exist") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AnnotationError(f"cannot read key file {path}: {err}") from err
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT \
            or not isinstance(key.get("items"), dict):
        raise AnnotationError(f"{path} is not an annotation key written by therapy-audit")
    return key


@dataclass
class Unlabelled:
    """An item with no usable label, and why (``where`` is empty for an absent item)."""

    item_id: str
    reason: str
    where: str = ""
    line: int = 0


@dataclass
class LabelSheet:
    """One annotator's labels."""

    path: Path
    annotator: str
    labels: dict[str, str]  # item id -> "yes" / "no"
    raw: dict[str, str]  # item id -> the label as written, for every item in the key
    unlabelled: list[Unlabelled] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)  # rows not read
    blank_rows: int = 0

    @property
    def judge(self) -> str:
        return human_judge(self.annotator)


def normalise_label(value: str) -> str | None:
    """``"yes"``/``"no"`` (any case, surrounding spaces), else None."""
    text = value.strip().strip("'").strip().lower()
    return text if text in LABELS else None


def read_labels(path: Path, annotator: str, key_items: dict[str, dict]) -> LabelSheet:
    """The labels in one filled sheet; every key item is labelled or counted as unlabelled."""
    table = read_table(Path(path), ["item_id", "label"])
    sheet = LabelSheet(Path(path), annotator, {}, {}, blank_rows=table.blank_rows)
    rows_by_item: dict[str, list[TableRow]] = {}
    for row in table.rows:
        item_id = row.values.get("item_id", "").strip()
        if not item_id:
            sheet.rejected.append(RejectedRow(row.where, "no item_id", row.line))
        elif item_id not in key_items:
            sheet.rejected.append(RejectedRow(row.where, f"item_id {item_id!r} is not in the key",
                                              row.line))
        else:
            rows_by_item.setdefault(item_id, []).append(row)
    for item_id in key_items:
        rows = rows_by_item.get(item_id)
        if not rows:
            sheet.raw[item_id] = ""
            sheet.unlabelled.append(Unlabelled(item_id, "missing from the sheet"))
            continue
        if len(rows) > 1:
            lines = ", ".join(str(r.line) for r in rows)
            sheet.raw[item_id] = ""
            for r in rows:
                sheet.rejected.append(RejectedRow(
                    r.where, f"{item_id} appears more than once (lines/rows {lines})", r.line))
            sheet.unlabelled.append(Unlabelled(item_id, "duplicated in the sheet",
                                               rows[0].where, rows[0].line))
            continue
        raw = rows[0].values.get("label", "")
        sheet.raw[item_id] = raw
        label = normalise_label(raw)
        if label is None:
            reason = "blank label" if not raw.strip() else f"label {raw!r} is not yes or no"
            sheet.unlabelled.append(Unlabelled(item_id, reason, rows[0].where, rows[0].line))
        else:
            sheet.labels[item_id] = label
    sheet.rejected.sort(key=lambda r: r.line)
    sheet.unlabelled.sort(key=lambda u: (not u.line, u.line, u.item_id))
    return sheet


@dataclass
class AnnotationImport:
    """What :func:`import_annotations` did."""

    sheets: list[LabelSheet]
    log_dirs: list[Path]
    stale: list[tuple[str, str]]  # (item id, why its label could not be attached)
    agreement: str = ""

    def text(self) -> str:
        lines = []
        for s in self.sheets:
            lines.append(f"{s.judge}: {len(s.labels)} labelled, {len(s.unlabelled)} "
                         f"unlabelled (from {s.path.name})")
            for u in s.unlabelled:
                where = f"{u.where}: " if u.where else ""
                lines.append(f"  unlabelled {u.item_id}: {where}{u.reason}")
            for r in s.rejected:
                lines.append(f"  rejected {r.where}: {r.reason}")
            if s.blank_rows:
                lines.append(f"  skipped {s.blank_rows} empty row(s)")
        if self.stale:
            lines.append(f"{len(self.stale)} item(s) not imported: their run changed since "
                         "the sheets were made:")
            lines += [f"  {item_id}: {why}" for item_id, why in self.stale]
        if self.agreement:
            lines += ["", self.agreement]
        return "\n".join(lines)


def _annotator_id(path: Path, given: str | None) -> str:
    name = " ".join((given if given is not None else path.stem).split())
    if not name:
        raise AnnotationError(f"{path.name}: the annotator id is empty")
    return name


def _replay_annotations(sheet: LabelSheet, key: dict, run_dir: Path,
                        stale: list[tuple[str, str]]) -> list[Path]:
    """Log one annotator's labels as ``human:<annotator>`` verdicts (one task per source log)."""

    by_log: dict[str, dict[str, str]] = {}
    for item_id, entry in key["items"].items():
        by_log.setdefault(entry["log_file"], {})[entry["sample_id"]] = item_id
    log_dirs = []
    for log_file, wanted in sorted(by_log.items()):
        source = Path(log_file) if Path(log_file).is_absolute() else run_dir / log_file
        if not source.is_file():
            stale += [(i, f"log {log_file} no longer exists") for i in sorted(wanted.values())]
            continue
        samples, records, found = [], {}, set()
        for original in read_eval_log_samples(str(source), all_samples_required=False):
            item_id = wanted.get(str(original.id))
            if item_id is None:
                continue
            found.add(item_id)
            entry = key["items"][item_id]
            response = (original.store or {}).get("stored_response", "")
            if _sha256(response) != entry["response_sha256"]:
                stale.append((item_id, f"the response of {original.id} in {log_file} changed"))
                continue
            samples.append(Sample(
                id=original.id, input=original.input, target=original.target,
                metadata={**(original.metadata or {}),
                          "recorded_verdict": normalise_label(sheet.raw.get(item_id, ""))
                          or sheet.raw.get(item_id, ""),
                          "annotator": sheet.annotator, "annotation_item": item_id},
            ))
            records[messages_key(original.input)] = response
        stale += [(i, f"sample not found in {log_file}") for i in sorted(set(wanted.values())
                                                                          - found)]
        if not samples:
            continue
        entry = key["items"][wanted[str(samples[0].id)]]
        tag = hashlib.sha256(log_file.encode()).hexdigest()[:8]
        log_dir = (annotation_root(run_dir) / slug(sheet.annotator)
                   / f"{slug(entry['model'])}-{tag}" / slug(entry["system_prompt"]))
        recording = run_dir / "recordings" / f"annotation-{slug(sheet.annotator)}-{tag}.jsonl"
        task = Task(
            dataset=MemoryDataset(samples, name="annotations"),
            solver=respond(cache=False),
            scorer=[recorded_judge(sheet.judge)],
            config=GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS),
            metadata={"experiment": "appropriateness", "system_prompt": entry["system_prompt"],
                      "model_display": entry["model"], "annotator": sheet.annotator,
                      "annotated_log": log_file},
            name="appropriateness",
        )
        run_replay(task, "replay/annotation", records, recording, log_dir)
        log_dirs.append(log_dir)
    return log_dirs


def read_sheets(files: Sequence[Path], key: dict, annotator: str | None) -> list[LabelSheet]:
    """Every filled sheet's labels; one annotator id per sheet (``annotator`` for one file)."""
    files = [Path(f) for f in files]
    if not files:
        raise AnnotationError("no annotation sheets given")
    if annotator is not None and len(files) > 1:
        raise AnnotationError("--annotator names the annotator of ONE sheet; with several "
                              "sheets each is named after its file")
    sheets = []
    for path in files:
        sheet = read_labels(path, _annotator_id(path, annotator), key["items"])
        if not sheet.labels:
            raise AnnotationError(f"{path.name}: no yes/no labels (of {len(key['items'])} "
                                  "items); is it a filled sheet for this key?")
        sheets.append(sheet)
    names = [s.annotator for s in sheets]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise AnnotationError(f"two sheets have the same annotator id {', '.join(doubled)}; "
                              "rename the files or use --annotator")
    return sheets


def import_annotations(files: Sequence[Path], key_path: Path, run_dir: Path | None = None,
                       annotator: str | None = None) -> AnnotationImport:
    """Store filled sheets' labels as ``human:<annotator>`` judges in the run directory.

    The annotator id is ``annotator`` (one file only) or the file's name without extension.
    Raises :class:`AnnotationError` for a sheet with no yes/no label at all.
    """
    key = read_key(key_path)
    run_dir = key_run_dir(key, run_dir)
    result = replay_sheets(read_sheets(files, key, annotator), key, run_dir,
                           _replay_annotations)
    result.agreement = agreement_text(load_samples([run_dir]))
    return result


def key_run_dir(key: dict, run_dir: Path | None) -> Path:
    """The run the labels go into: ``run_dir`` if given, else the key's; it must exist."""
    path = Path(run_dir) if run_dir is not None else Path(key.get("run_dir", ""))
    if not path.is_dir():
        raise AnnotationError(f"run directory {path} does not exist (give --run-dir)")
    return path


def replay_sheets(sheets: list[LabelSheet], key: dict, run_dir: Path,
                  replay: Callable[[LabelSheet, dict, Path, list[tuple[str, str]]], list[Path]]
                  ) -> AnnotationImport:
    """Replay each sheet's labels into ``run_dir`` with ``replay`` (which appends the items
    whose response changed since export to its last argument)."""
    stale: list[tuple[str, str]] = []
    log_dirs: list[Path] = []
    for sheet in sheets:
        log_dirs += replay(sheet, key, run_dir, stale)
    return AnnotationImport(sheets, log_dirs, list(dict.fromkeys(stale)))


# --- agreement -------------------------------------------------------------------------------



def _fmt(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def agreement_text(df: pd.DataFrame) -> str:
    """Plain-text agreement of each annotator with each judge and among annotators."""

    pairs = judge_agreement(df)
    lines = []
    if not pairs.empty:
        human = pairs[(pairs["group"] == "ALL") & (
            pairs["reference"].map(is_human).astype(bool)
            | pairs["judge"].map(is_human).astype(bool))]
        if not human.empty:
            lines.append("Cohen's kappa (95% bootstrap CI), all samples; confusion counts "
                         "(appropriate = yes): both yes / judge yes, ref. no / judge no, ref. "
                         "yes / both no")
            for r in human.itertuples():
                lines.append(
                    f"  {r.judge} vs {r.reference}: n={r.n} (unlabelled {r.n_unlabelled}), "
                    f"agreement {_fmt(r.raw_agreement)}, kappa {_fmt(r.kappa)} "
                    f"({_fmt(r.ci_low)} to {_fmt(r.ci_high)}); {r.tp}/{r.fp}/{r.fn}/{r.tn}")
    among = annotator_agreement(df)
    among = among[among["group"] == "ALL"] if not among.empty else among
    if not among.empty:
        lines.append("Among annotators (95% bootstrap CI), all samples:")
        for r in among.itertuples():
            lines.append(f"  {r.statistic}: {_fmt(r.value)} ({_fmt(r.ci_low)} to "
                         f"{_fmt(r.ci_high)}), n={r.n_items} items ({r.n_excluded} excluded)")
    return "\n".join(lines) if lines else "No other judge on the same samples to compare with."
