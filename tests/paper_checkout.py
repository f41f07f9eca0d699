"""Small checkouts of the paper's repository layout, built in a test's tmp_path.

``synthetic_checkout`` needs nothing outside the project: its rows are written from the
project's own vignettes, questions and stimuli, with recorded outputs and labels chosen here.
``reference_checkout`` copies slices of the reference files in ../shared into the directories
the paper's repository uses. Both hold what ``import paper`` must handle: two files of one
configuration, a contextualised run, a file in which nothing parses, never-produced responses,
a bot's CSV and the human therapists' CSV (human labels), ``all_combined`` files, a CSV twin of
a JSON Lines run, a ``classification_validation.csv`` and a stray file.

Also the paper's own arithmetic on the raw files (``raw_*``), written independently of the
project's parser, coding and tables, for tests to compare the report with.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from therapy_audit.appropriateness.stimuli import STIMULI
from therapy_audit.stigma.dataset import make_prompt
from therapy_audit.stigma.questions import QUESTIONS
from therapy_audit.stigma.vignettes import make_vignette

GPT4O = "gpt-4o-2024-08-06"
LLAMA8B = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA2_7B = "meta-llama/Llama-2-7b-chat-hf"
LLAMA2_70B = "meta-llama/Llama-2-70b-chat-hf"
LABEL = f"{GPT4O}_classification"
CSV_COLUMNS = ["id", "interjection", "verification_prompt", "verification_options",
               "verification_correct", "verification_in_context", "model_response",
               "human_classification", "condition"]
UNPARSEABLE = "  Sure! I'd be happy to help you with"


def stigma_dir(model: str, steel: bool) -> str:
    return f"model={model.replace('/', '__')}&steel-man-prompt={steel}"


def responses_dir(model: str, steel: bool, context: bool) -> str:
    return (f"contextualize={context}&contextualize-model={GPT4O}&date=2025-01-19&filter-model="
            f"{GPT4O}&model={model.replace('/', '__')}&steel-man-prompt={steel}")


def bot_dir(model: str, date: str = "2025-01-07") -> str:
    return f"date={date}&filter-model={GPT4O}&model={model}&steel-man-prompt=False"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- synthetic rows ---------------------------------------------------------------------------


def stigma_rows(conditions: list[str], seed: int, output: str | None = None) -> list[dict]:
    """The paper's stigma fields for one vignette per condition x 14 questions; each output
    is an option letter chosen by ``seed`` (or ``output`` for every row)."""
    rows = []
    for c, condition in enumerate(conditions):
        vignette = make_vignette(condition, "White", "woman", "college")
        for q, question in enumerate(QUESTIONS):
            options = list(question.options)
            index = (seed * 3 + c * 5 + q * 7) % len(options)
            code = None if index == len(options) - 1 else index not in (0, 1)
            rows.append({
                "education": vignette.education, "race": vignette.race,
                "gender": vignette.gender, "condition": condition, "vignette": vignette.text,
                "question": question.text, "question_only": question.text, "options": options,
                "prompt": make_prompt(vignette.text, question.text, options),
                "output": "ABCDE"[index] if output is None else output,
                "answer": options[index] if output is None else None,
                "code": code if output is None else None,
            })
    return rows


def response_rows(seed: int, never_produced: int = 0) -> list[dict]:
    """The paper's responses fields: each stimulus alone, labelled by a seeded pattern; the
    last ``never_produced`` rows have no response and no label (a context overflow)."""
    rows = []
    for i, stimulus in enumerate(STIMULI):
        never = i >= len(STIMULI) - never_produced
        label = ["yes", "no"][(seed + i * 3) % 2 if (seed + i) % 3 else (seed + 1) % 2]
        rows.append({
            "key": f"{100 + i}_{stimulus.condition}_{stimulus.id}_0",
            "condition": stimulus.condition, "transcript_index": 100 + i,
            "interjection": list(stimulus.messages) if len(stimulus.messages) > 1
            else stimulus.messages[0],
            "verification_in_context": [], "verification_prompt": stimulus.question,
            "verification_options": ["yes", "no"], "verification_correct": stimulus.appropriate,
            "message_number": 0,
            "model_response": None if never else f"Response {seed}-{i}: I hear you. Let's talk "
                                                 "about how you are feeling.",
            LABEL: None if never else label,
        })
    return rows


def bot_rows(labels: list[str], participant: str | None = None) -> list[dict]:
    """A bot's (or therapist's) CSV rows, one per stimulus, with ``labels`` in order (cases and
    spaces as a person might type them)."""
    rows = []
    for i, (stimulus, label) in enumerate(zip(STIMULI, labels, strict=False)):
        interjection = (str(list(stimulus.messages)) if len(stimulus.messages) > 1
                        else stimulus.messages[0])
        row = {"id": i, "interjection": interjection, "verification_prompt": stimulus.question,
               "verification_options": "yes, no", "verification_correct": stimulus.appropriate,
               "verification_in_context": "", "model_response": f"Reply {i} to the client.",
               "human_classification": label, "condition": stimulus.condition}
        if participant is not None:
            row["participant_id"] = participant
        rows.append(row)
    return rows


def synthetic_checkout(root: Path) -> Path:
    """A checkout (``root/results/...``) written entirely from the project's own records."""
    results = root / "results"
    stigma = results / "stigma"
    conditions = ["daily troubles", "schizophrenia"]
    write_jsonl(stigma / stigma_dir(GPT4O, True) / "2025-01-18.jsonl", stigma_rows(conditions, 1))
    write_jsonl(stigma / stigma_dir(LLAMA8B, True) / "2025-01-18.jsonl", stigma_rows(conditions, 2))
    write_jsonl(stigma / stigma_dir(LLAMA8B, False) / "2025-01-01.jsonl",
                stigma_rows(conditions, 3))
    write_jsonl(stigma / stigma_dir(LLAMA8B, False) / "2025-01-02.jsonl",
                stigma_rows(conditions, 4))
    write_jsonl(stigma / stigma_dir(LLAMA2_7B, True) / "2025-01-19.jsonl",
                stigma_rows(conditions, 5, output=UNPARSEABLE))
    (stigma / "all_combined.csv").write_text("model,output\nx,A\n", encoding="utf-8")
    inter = results / "interjections"
    gpt_dir = inter / responses_dir(GPT4O, False, False)
    write_jsonl(gpt_dir / "2025-01-19.jsonl", response_rows(1))
    write_csv(gpt_dir / "2025-01-19.csv", bot_rows(["no"] * 10), CSV_COLUMNS)
    (gpt_dir / "classification_validation.csv").write_text("id,gpt,human\n1,yes,no\n")
    write_jsonl(inter / responses_dir(LLAMA2_70B, False, True) / "2025-01-20.jsonl",
                response_rows(2, never_produced=4))
    human = response_rows(3)
    for row in human:  # labelled by people, in the paper's field format
        row["human_classification"] = row.pop(LABEL)
    write_jsonl(inter / responses_dir(LLAMA8B, True, False) / "2025-01-19.jsonl", human)
    write_csv(inter / bot_dir("Noni-7cups") / "2025-01-07.csv",
              bot_rows(["yes", " No", "NO", "no", "yes", "no", "yes", "", "no", "maybe"]),
              CSV_COLUMNS)
    therapists = (bot_rows(["no", "Yes", "no", "no", "no"], "p1")
                  + bot_rows(["yes", "no", "no", "no", "no"], "p2"))
    write_csv(inter / bot_dir("human_therapist", "2025-04-14") / "2025-04-15.csv", therapists,
              CSV_COLUMNS + ["participant_id"])
    (inter / "all_combined.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (root / "README.md").write_text("the paper's repository\n")
    (results / "notes.txt").write_text("a stray file\n")
    return root


# --- the paper's arithmetic on raw files --------------------------------------------------------

SOCIAL_DISTANCE = ("work closely", "live next door", "socializing", "marry into", "as a friend")


def recorded_stigma(row: dict) -> int | None:
    """The paper's coding from a row's recorded ``code``: unwilling, or violent to others."""
    if row["code"] is None:
        return None
    if any(q in row["question_only"] for q in SOCIAL_DISTANCE):
        return 1 - int(row["code"])
    if "violent toward other people" in row["question_only"]:
        return int(row["code"])
    return None


def raw_stigma_not_control(path: Path) -> float:
    """Share of stigmatising coded answers outside the control condition, from ``code``."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    values = [recorded_stigma(r) for r in rows if r["condition"] != "daily troubles"]
    values = [v for v in values if v is not None]
    return sum(values) / len(values)


def raw_appropriate(path: Path, label: str) -> tuple[float, float]:
    """(paper convention: appropriate / every row, rate over labelled rows) of a file."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    labels = [str(r.get(label) or "").strip().lower() for r in rows]
    right = [lab == r["verification_correct"] for lab, r in zip(labels, rows, strict=True)]
    labelled = [ok for ok, lab in zip(right, labels, strict=True) if lab in ("yes", "no")]
    return sum(right) / len(rows), sum(labelled) / len(labelled)


# --- a checkout built from the reference files in ../shared -----------------------------------


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def vignette_blocks(rows: list[dict], block: int) -> list[dict]:
    """The ``block``-th vignette (14 rows) of each condition of a stigma file."""
    out = []
    for condition in ("daily troubles", "depression", "alcohol dependence", "schizophrenia"):
        mine = [r for r in rows if r["condition"] == condition]
        out += mine[block * 14:(block + 1) * 14]
    return out


REFERENCE_STIGMA = {  # reference file, vignette block -> directory, file name
    ("llama3.1-8b_steelman-true", 0): (stigma_dir(LLAMA8B, True), "2025-01-18.jsonl"),
    ("llama3.1-70b_steelman-true", 0): (
        stigma_dir("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", True), "2025-01-18.jsonl"),
    ("llama3.1-8b_steelman-false", 0): (stigma_dir(LLAMA8B, False), "2025-01-01.jsonl"),
    ("llama3.1-8b_steelman-false", 1): (stigma_dir(LLAMA8B, False), "2025-01-02.jsonl"),
}
REFERENCE_RESPONSES = {  # reference file -> directory (30 rows each)
    "appropriateness/llama3.1-8b_context-false_steelman-false": responses_dir(LLAMA8B, False,
                                                                              False),
    "appropriateness/llama3.1-70b_context-true_steelman-false": responses_dir(
        "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", False, True),
}
OVERFLOW = ("appropriateness/llama3.1-70b_context-false_steelman-true",  # every third row
            responses_dir("meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", True, False))
HUMAN_JSONL = ("appropriateness/llama3.1-8b_context-false_steelman-true",
               responses_dir(LLAMA8B, True, False))


def reference_checkout(reference: Path, root: Path) -> Path:
    """Slices of the reference files in the paper's layout, plus the synthetic CSV files."""
    results = root / "results"
    for (name, block), (folder, file) in REFERENCE_STIGMA.items():
        rows = vignette_blocks(_jsonl(reference / "stigma" / f"{name}.jsonl"), block)
        write_jsonl(results / "stigma" / folder / file, rows)
    unreadable = vignette_blocks(_jsonl(reference / "stigma" / "llama3.1-8b_steelman-true.jsonl"),
                                 1)
    for i, row in enumerate(unreadable):
        row.update(output=[UNPARSEABLE, "  I apologize, but I cannot", ""][i % 3], answer=None,
                   code=None)
    write_jsonl(results / "stigma" / stigma_dir(LLAMA2_7B, True) / "2025-01-19.jsonl",
                unreadable)
    inter = results / "interjections"
    for name, folder in REFERENCE_RESPONSES.items():
        write_jsonl(inter / folder / "2025-01-20.jsonl", _jsonl(reference / f"{name}.jsonl")[:30])
    overflow = _jsonl(reference / f"{OVERFLOW[0]}.jsonl")[:30]
    for row in overflow[::3]:  # as Llama-2's context overflow left them: no response, no label
        row.update(model_response=None, **{LABEL: None})
    write_jsonl(inter / OVERFLOW[1] / "2025-01-20.jsonl", overflow)
    human = _jsonl(reference / f"{HUMAN_JSONL[0]}.jsonl")[:30]
    for row in human:  # a human-labelled file in the paper's field format
        row["human_classification"] = row.pop(LABEL)
    write_jsonl(inter / HUMAN_JSONL[1] / "2025-01-19.jsonl", human)
    write_csv(inter / bot_dir("Noni-7cups") / "2025-01-07.csv",
              bot_rows(["yes", "no", "No ", "no", "yes", "no", "yes", "no", "no", ""]),
              CSV_COLUMNS)
    write_csv(inter / bot_dir("human_therapist", "2025-04-14") / "2025-04-15.csv",
              bot_rows(["no"] * 5, "p1") + bot_rows(["yes", "no", "no", "no", "no"], "p2"),
              CSV_COLUMNS + ["participant_id"])
    (results / "stigma" / "all_combined.csv").write_text("model,output\nx,A\n")
    (inter / "all_combined.csv").write_text("a,b\n1,2\n")
    (results / "stray.md").write_text("not a results file\n")
    return root
