"""Worksheets: collect responses by hand, from chatbots without an API and from people.

The paper typed its stimuli into therapy apps by hand. :func:`export_worksheet` writes the ten
standalone stimuli as a worksheet (CSV with ``#`` instruction lines at the top, and/or an XLSX
workbook with an Instructions sheet and a Responses sheet); whoever fills it types each
``message_to_send`` into the chatbot (or answers it themselves) and pastes the reply into
``response``, with their ``respondent_id`` and the ``date``.

:func:`import_worksheet` turns a filled worksheet into scored runs. Each respondent becomes
its own run (its own configuration in the report): the model is ``replay/<name>`` replaying
the typed responses, shown as ``<name>`` when ``respondent_id`` is blank and as
``<name> [<respondent_id>]`` otherwise, so several respondents for the same bot never collide
and can be compared. The responses are judged like any model's (rules judge by default).
Rows that cannot be used (no response, an unknown stimulus id or system prompt, the same
respondent answering one stimulus twice) are rejected and reported with their line numbers
(spreadsheet row numbers for XLSX); a stimulus a respondent has no usable row for is recorded
in that respondent's run as an errored sample, so a partly filled worksheet shows as partial.
Re-importing a worksheet under the same name replaces the earlier import of that respondent.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from therapy_audit.analysis.summary import summarise
from therapy_audit.appropriateness.dataset import (
    CHARACTER_LIMIT,
    appropriateness_samples,
    system_message,
)
from therapy_audit.appropriateness.stimuli import STIMULI, STIMULI_BY_ID, Stimulus
from therapy_audit.appropriateness.task import build_appropriateness_task
from therapy_audit.engine import run_replay, validate_judges
from therapy_audit.models.replay import messages_key
from therapy_audit.prompts import PRESETS, resolve_system_prompt
from therapy_audit.rundir import log_dir_for, slug
from therapy_audit.table import load_samples
from therapy_audit.vocab import RULES_JUDGE

WORKSHEET_COLUMNS = [
    "stimulus_id",
    "condition",
    "system_prompt",
    "message_to_send",
    "conversation",
    "respondent_id",
    "date",
    "response",
    "notes",
]
REQUIRED_COLUMNS = ["stimulus_id", "system_prompt", "response"]
WORKSHEET_SYSTEM_PROMPTS = tuple(PRESETS)  # "none", "steel-man"
RESPONSES_SHEET = "Responses"
INSTRUCTIONS_SHEET = "Instructions"

class WorksheetError(ValueError):
    """A worksheet (or annotation sheet) that cannot be read or used."""


# --- reading CSV / XLSX tables with their line numbers ----------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One data row of a sheet: where it is (for messages) and its cells by column name."""

    where: str  # e.g. "sheet.csv line 7" or "sheet.xlsx row 7"
    line: int
    values: dict[str, str]


@dataclass
class Table:
    path: Path
    rows: list[TableRow]
    blank_rows: int  # entirely empty rows after the header, skipped


def _header_name(value: object) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower())


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text (dates as ISO dates, whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_preamble(line: str) -> bool:
    """A blank line, or a ``#`` comment line (also as a spreadsheet re-saves it)."""
    text = line.strip()
    return not text.strip(",;\t") or text.lstrip('"').startswith("#")


def _check_header(path: Path, header: list[str], required: Sequence[str], where: str) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise WorksheetError(f"{path.name}: the header ({where}) has no column(s) "
                             f"{', '.join(missing)}; expected at least {', '.join(required)}")
    named = [h for h in header if h]
    doubled = sorted({h for h in named if named.count(h) > 1})
    if doubled:
        raise WorksheetError(f"{path.name}: column(s) {', '.join(doubled)} appear twice")


def _row_values(header: list[str], cells: Sequence[object]) -> dict[str, str]:
    values = {name: "" for name in header if name}
    for name, cell in zip(header, cells, strict=False):
        if name:
            values[name] = _cell_text(cell).strip()
    return values


def _read_csv(path: Path, required: Sequence[str]) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise WorksheetError(f"{path.name} is not UTF-8 text (at byte {err.start}); save it "
                             "as 'CSV UTF-8' or as .xlsx") from err
    except OSError as err:
        raise WorksheetError(f"cannot read {path}: {err.strerror}") from err
    lines = list(io.StringIO(text, newline=""))
    skip = 0
    while skip < len(lines) and _is_preamble(lines[skip]):
        skip += 1
    if skip == len(lines):
        raise WorksheetError(f"{path.name}: no header row (expected columns "
                             f"{', '.join(required)})")
    delimiter = max((",", ";", "\t"), key=lines[skip].count)
    reader = csv.reader(iter(lines[skip:]), delimiter=delimiter)
    rows: list[TableRow] = []
    blank = 0
    try:
        header = [_header_name(h) for h in next(reader)]
        _check_header(path, header, required, f"line {skip + 1}")
        consumed = reader.line_num
        for cells in reader:
            line = skip + consumed + 1
            consumed = reader.line_num
            if not any(c.strip() for c in cells):
                blank += 1
                continue
            rows.append(TableRow(f"{path.name} line {line}", line, _row_values(header, cells)))
    except csv.Error as err:
        raise WorksheetError(f"{path.name} line {skip + reader.line_num}: not valid CSV "
                             f"({err})") from err
    return Table(path, rows, blank)


def _read_xlsx(path: Path, required: Sequence[str]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as err:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise WorksheetError(f"cannot read {path.name} as an .xlsx workbook: {err}") from err
    sheets = sorted(book.worksheets, key=lambda s: s.title != RESPONSES_SHEET)
    for sheet in sheets:
        all_rows = list(sheet.iter_rows(values_only=True))
        for index, cells in enumerate(all_rows[:50]):
            header = [_header_name(c) for c in cells]
            if not all(c in header for c in required):
                continue
            _check_header(path, header, required, f"sheet {sheet.title!r} row {index + 1}")
            rows: list[TableRow] = []
            blank = 0
            for number, data in enumerate(all_rows[index + 1:], start=index + 2):
                if not any(_cell_text(c).strip() for c in data):
                    blank += 1
                    continue
                rows.append(TableRow(f"{path.name} row {number}", number,
                                     _row_values(header, data)))
            return Table(path, rows, blank)
    raise WorksheetError(f"{path.name}: no sheet has the columns {', '.join(required)}")


def read_table(path: Path, required: Sequence[str]) -> Table:
    """The data rows of a ``.csv`` or ``.xlsx`` sheet, each with its line (row) number.

    Leading blank and ``#`` lines of a CSV are skipped; the first other line is the header
    (column names are matched case-insensitively). Entirely empty rows are counted, not read.
    """
    path = Path(path)
    if not path.is_file():
        raise WorksheetError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, required)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, required)
    raise WorksheetError(f"{path.name}: expected a .csv or .xlsx file")


# --- writing ---------------------------------------------------------------------------------


def conversation_text(turns: Sequence[str]) -> str:
    """``Client: ...`` / ``Therapist: ...`` lines, starting with the client."""
    return "\n".join(f"{'Client' if i % 2 == 0 else 'Therapist'}: {text}"
                     for i, text in enumerate(turns))


def worksheet_rows(system_prompt: str = "none") -> list[dict[str, str]]:
    """The worksheet's rows: one per standalone stimulus, response columns empty."""
    if system_prompt not in WORKSHEET_SYSTEM_PROMPTS:
        raise WorksheetError(f"worksheet system prompt must be one of "
                             f"{', '.join(WORKSHEET_SYSTEM_PROMPTS)}, not {system_prompt!r}")
    return [{
        "stimulus_id": s.id,
        "condition": s.condition,
        "system_prompt": system_prompt,
        "message_to_send": s.query,
        "conversation": conversation_text(s.messages),
        "respondent_id": "",
        "date": "",
        "response": "",
        "notes": "",
    } for s in STIMULI]


def worksheet_instructions(system_prompt: str = "none") -> list[str]:
    """The instructions printed at the top of the worksheet (one line per entry)."""
    multi = [s for s in STIMULI if len(s.messages) > 1]
    lines = [
        f"therapy-audit response worksheet (system prompt: {system_prompt}).",
        "Each row is one message a client might send. Fill the columns respondent_id, date "
        "(YYYY-MM-DD) and response; keep notes for anything unusual.",
        "Do not change stimulus_id or system_prompt, and do not add header rows. Rows without "
        "a response are reported when the worksheet is imported.",
        "respondent_id: who filled the row (initials or a code). Use the same id on every row "
        "you fill; each respondent id becomes its own entry in the report.",
        "",
        "CHATBOT WITHOUT AN API: start a NEW conversation for every row, so the bot has no "
        "memory of earlier rows. Type message_to_send exactly as written and paste the bot's "
        "whole reply into response (if it replies in several bubbles, paste them all, in "
        "order).",
    ]
    for s in multi:
        lines.append(
            f"Row {s.id} is a short conversation ({(len(s.messages) + 1) // 2} client "
            "messages, see the conversation column): send the Client lines one at a time, in "
            "order, waiting for the reply after each, and paste only the reply to the LAST "
            "client message. The Therapist lines show what an audited model was given as its "
            "own earlier turns; the bot's own earlier replies are not recorded.")
    lines += [
        "",
        "A PERSON (for example a therapist): read the conversation column as if you were the "
        "therapist in it and write how you would reply to the last client message, in your "
        "own words.",
        "",
        f"Responses longer than {CHARACTER_LIMIT} characters are cut to {CHARACTER_LIMIT} on "
        "import, as the audited models' responses are.",
        "In a spreadsheet, a reply that starts with =, + or - can be taken for a formula: "
        "type an apostrophe (') before pasting it.",
        "Some messages describe suicidal thoughts, delusions or other distress. They are "
        "research material, not a real client; stop if this affects you.",
    ]
    if system_prompt != "none":
        preset = resolve_system_prompt(system_prompt)
        lines += [
            "",
            f"SYSTEM PROMPT ({system_prompt}): before the first message of EVERY conversation, "
            "set the text below as the chatbot's system prompt or custom instructions. If the "
            "chatbot has no such setting, use a worksheet exported with --system-prompt none "
            "instead.",
            "----- begin system prompt -----",
            *system_message(preset).text.splitlines(),
            "----- end system prompt -----",
        ]
    return lines


def _refuse_overwrite(paths: Sequence[Path], overwrite: bool) -> None:
    existing = [str(p) for p in paths if p.exists()]
    if existing and not overwrite:
        raise WorksheetError(f"{', '.join(existing)} already exist(s); a filled worksheet "
                             "would be lost (choose another name, or --force)")


def write_worksheet_csv(path: Path, system_prompt: str = "none") -> Path:
    """The worksheet as CSV (UTF-8 with a byte-order mark, so spreadsheets read the quotes)."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        for line in worksheet_instructions(system_prompt):
            f.write(f"# {line}".rstrip() + "\r\n")
        writer = csv.DictWriter(f, fieldnames=WORKSHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(worksheet_rows(system_prompt))
    return path


_WIDTHS = {"stimulus_id": 12, "condition": 18, "system_prompt": 12, "message_to_send": 50,
           "conversation": 60, "respondent_id": 14, "date": 12, "response": 70, "notes": 30}


def write_worksheet_xlsx(path: Path, system_prompt: str = "none") -> Path:
    """The worksheet as an XLSX workbook: an Instructions sheet and a Responses sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    book = Workbook()
    info = book.active
    info.title = INSTRUCTIONS_SHEET
    info.column_dimensions["A"].width = 120
    for number, line in enumerate(worksheet_instructions(system_prompt), start=1):
        info.cell(row=number, column=1, value=line).alignment = wrap
    info.cell(row=1, column=1).font = Font(bold=True)
    sheet = book.create_sheet(RESPONSES_SHEET)
    sheet.append(WORKSHEET_COLUMNS)
    for row in worksheet_rows(system_prompt):
        sheet.append([row[c] for c in WORKSHEET_COLUMNS])
    for index, name in enumerate(WORKSHEET_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[name]
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.alignment = wrap
            cell.number_format = "@"  # text: keeps ids and dates as typed
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    book.save(path)
    return path


def export_worksheet(csv_path: Path | None, xlsx_path: Path | None = None,
                     system_prompt: str = "none", overwrite: bool = False) -> list[Path]:
    """Write the worksheet as CSV and/or XLSX; refuses to overwrite unless ``overwrite``."""
    targets = [p for p in (csv_path, xlsx_path) if p is not None]
    if not targets:
        raise WorksheetError("give a CSV file (-o) and/or an XLSX file (--xlsx) to write")
    if xlsx_path is not None and xlsx_path.suffix.lower() != ".xlsx":
        raise WorksheetError(f"{xlsx_path}: the XLSX worksheet must end in .xlsx")
    worksheet_rows(system_prompt)  # validates the system prompt
    _refuse_overwrite(targets, overwrite)
    written = []
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path == xlsx_path:
            written.append(write_worksheet_xlsx(path, system_prompt))
        else:
            written.append(write_worksheet_csv(path, system_prompt))
    return written


# --- importing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedRow:
    """A worksheet row that was not imported, and why."""

    where: str
    reason: str
    line: int = 0


@dataclass(frozen=True)
class _Good:
    row: TableRow
    stimulus: Stimulus
    system_prompt: str
    respondent: str
    response: str


@dataclass
class ImportedRun:
    """One respondent's run."""

    model: str  # the display name in the report
    system_prompt: str
    responses: int
    missing: list[str]  # stimulus ids without a usable response (errored samples)
    log_dir: Path


@dataclass
class WorksheetImport:
    """What :func:`import_worksheet` did."""

    path: Path
    runs: list[ImportedRun]
    rejected: list[RejectedRow]
    blank_rows: int
    truncated: list[str] = field(default_factory=list)
    complete: bool = True
    summary: str = ""

    def text(self) -> str:
        """A plain-text account for the command line."""
        total = sum(r.responses for r in self.runs)
        lines = [f"Imported {total} response(s) from {self.path.name} into "
                 f"{len(self.runs)} run(s):"]
        for run in self.runs:
            lines.append(f"  {run.model} (system prompt: {run.system_prompt}): "
                         f"{run.responses} response(s) -> {run.log_dir}")
            if run.missing:
                lines.append(f"    no usable response for {', '.join(run.missing)} "
                             "(recorded as errors)")
        if self.rejected:
            lines.append(f"Rejected {len(self.rejected)} row(s) (not imported):")
            lines += [f"  {r.where}: {r.reason}" for r in self.rejected]
        if self.blank_rows:
            lines.append(f"Skipped {self.blank_rows} empty row(s).")
        if self.truncated:
            lines.append(f"Cut to {CHARACTER_LIMIT} characters: {', '.join(self.truncated)}.")
        if self.summary:
            lines += ["", self.summary]
        return "\n".join(lines)


def display_name(name: str, respondent: str) -> str:
    """The report's name for one respondent's run: ``<name>`` or ``<name> [<respondent>]``."""
    return f"{name} [{respondent}]" if respondent else name


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def worksheet_log_dir(run_dir: Path, model: str, system_prompt: str) -> Path:
    """Where one respondent's run goes (a hash keeps names differing only in punctuation
    apart)."""

    return log_dir_for(run_dir, "appropriateness", f"worksheet-{slug(model)}-{_short_hash(model)}",
                       system_prompt)


def _classify(table: Table) -> tuple[list[_Good], list[RejectedRow]]:
    candidates: list[_Good] = []
    rejected: list[RejectedRow] = []
    for row in table.rows:
        v = row.values
        sid = v.get("stimulus_id", "").strip().lower()
        label = v.get("system_prompt", "").strip().lower()
        respondent = v.get("respondent_id", "").strip()
        response = v.get("response", "").strip()
        who = f" (respondent {respondent!r})" if respondent else ""
        if sid not in STIMULI_BY_ID:
            shown = v.get("stimulus_id", "")
            reason = (f"unknown stimulus id {shown!r} (expected one of "
                      f"{', '.join(STIMULI_BY_ID)})") if shown else "no stimulus_id"
            rejected.append(RejectedRow(row.where, reason, row.line))
        elif label not in WORKSHEET_SYSTEM_PROMPTS:
            rejected.append(RejectedRow(row.where, f"system_prompt {v.get('system_prompt')!r} "
                                        f"is not one of {', '.join(WORKSHEET_SYSTEM_PROMPTS)}",
                                        row.line))
        elif not response:
            rejected.append(RejectedRow(row.where, f"missing response to {sid}{who}", row.line))
        else:
            candidates.append(_Good(row, STIMULI_BY_ID[sid], label, respondent, response))
    seen: dict[tuple[str, str, str], list[_Good]] = {}
    for good in candidates:
        seen.setdefault((good.respondent, good.system_prompt, good.stimulus.id), []).append(good)
    kept = []
    for group in seen.values():
        if len(group) == 1:
            kept.append(group[0])
            continue
        lines = ", ".join(str(g.row.line) for g in group)
        for g in group:
            who = f"respondent {g.respondent!r}" if g.respondent else "a blank respondent_id"
            rejected.append(RejectedRow(
                g.row.where, f"duplicate: {who} answered {g.stimulus.id} (system prompt "
                f"{g.system_prompt}) on lines/rows {lines}; keep one of them", g.row.line))
    kept.sort(key=lambda g: g.row.line)
    rejected.sort(key=lambda r: r.line)
    return kept, rejected


@dataclass(frozen=True)
class _Judging:
    """Where an import goes and how its responses are judged (as for ``run``)."""

    name: str
    run_dir: Path
    judges: list[str]
    escalate: str | None
    model_roles: dict[str, Any] | None


def import_worksheet(path: Path, name: str, run_dir: Path,
                     judges: Sequence[str] = (RULES_JUDGE,),
                     model_roles: dict[str, Any] | None = None,
                     escalate: str | None = None) -> WorksheetImport:
    """Replay a filled worksheet as scored runs (one per respondent and system prompt).

    ``judges`` and ``escalate`` are as for ``run`` (``rules``, model names, or ``grader`` with
    a ``grader`` entry in ``model_roles``). Raises :class:`WorksheetError` when no row is
    usable.
    """

    name = " ".join(name.split())
    if not name:
        raise WorksheetError("--name must not be empty: it is the bot's (or group's) name "
                             "in the report")
    judges = list(judges) or [RULES_JUDGE]
    path = Path(path)
    table = read_table(path, REQUIRED_COLUMNS)
    good, rejected = _classify(table)
    if not good:
        reasons = "; ".join(f"{r.where}: {r.reason}" for r in rejected[:5])
        more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
        raise WorksheetError(f"{path.name}: no usable rows ({len(table.rows)} data row(s), "
                             f"{len(rejected)} rejected){': ' + reasons if reasons else ''}"
                             f"{more}")
    validate_judges(judges, escalate, model_roles)
    judging = _Judging(name, run_dir, judges, escalate, model_roles)

    groups: dict[tuple[str, str], list[_Good]] = {}
    for g in good:
        groups.setdefault((g.respondent, g.system_prompt), []).append(g)
    result = WorksheetImport(path, [], rejected, table.blank_rows)
    for (respondent, label), rows in groups.items():
        _replay_respondent(result, judging, respondent, label, rows)
    result.complete &= not rejected
    result.summary = summarise(load_samples([r.log_dir for r in result.runs]))
    return result


def _replay_respondent(result: WorksheetImport, judging: _Judging, respondent: str, label: str,
                       rows: list[_Good]) -> None:
    """Replay one respondent's answers under one system prompt as a scored run."""
    model = display_name(judging.name, respondent)
    preset = resolve_system_prompt(label)
    by_stimulus = {g.stimulus.id: g for g in rows}
    samples = appropriateness_samples(preset, [])
    records: dict[str, str | None] = {}
    for sample in samples:
        g = by_stimulus.get(sample.metadata["stimulus_id"])
        response = None
        if g is not None:
            response = g.response
            if len(response) > CHARACTER_LIMIT:
                result.truncated.append(g.row.where)
                response = response[:CHARACTER_LIMIT]
            sample.metadata.update({
                "respondent_id": respondent, "date": g.row.values.get("date", ""),
                "notes": g.row.values.get("notes", ""), "source": g.row.where,
            })
        records[messages_key(sample.input)] = response
    log_dir = worksheet_log_dir(judging.run_dir, model, label)
    recording = judging.run_dir / "recordings" / f"{log_dir.parent.name}-{slug(label)}.jsonl"
    task = build_appropriateness_task(samples, label, judging.judges, cache=False,
                                      escalate=judging.escalate)
    task.metadata = {**(task.metadata or {}), "model_display": model,
                     "worksheet": result.path.name, "respondent_id": respondent}
    complete = run_replay(task, f"replay/{model}", records, recording, log_dir,
                          model_roles=judging.model_roles)
    missing = [s.metadata["stimulus_id"] for s in samples
               if s.metadata["stimulus_id"] not in by_stimulus]
    result.complete &= complete and not missing
    result.runs.append(ImportedRun(model, label, len(by_stimulus), missing, log_dir))
