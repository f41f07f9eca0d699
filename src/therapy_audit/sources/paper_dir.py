"""``therapy-audit import paper DIR``: every results file of a checkout of the paper's
repository (https://github.com/jlcmoore/llms-as-therapists), or of its ``results/`` folder.

Files are recognised by location and content (:func:`find_results`): stigma JSON Lines (rows
with ``output`` and ``question_only``), responses JSON Lines (``model_response`` and
``verification_prompt``) and the bots' and therapists' CSV files (the paper's response
columns). In the paper's layout a run's file is named by its date inside a directory whose name
carries the settings; such a file is recognised even when its content is broken, so that the
breakage is reported as a failed import rather than hidden among the skipped files. Skipped,
each with its reason:

- ``all_combined.*``: combinations of the other files; importing them would count every
  response twice;
- a CSV beside a JSON Lines file of the same date in one run directory (the paper's gpt-4o
  ``2025-01-19.csv``): the same run in a second format, counted twice if imported;
- other files in a run directory that are not named by a date (``classification_validation.csv``):
  not a run's results;
- anything else that is not a results file (with its extension or why its content was not one).

Hidden files and directories (``.git``) are not walked.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from therapy_audit.engine import validate_judges
from therapy_audit.sources.paper_configs import FileImport, Target, plan
from therapy_audit.sources.paper_csv import CSV_REQUIRED
from therapy_audit.sources.paper_files import DATE, layout_settings, paper_file
from therapy_audit.sources.paper_responses import import_response_file
from therapy_audit.sources.paper_stigma import import_stigma_file
from therapy_audit.vocab import APPROPRIATENESS, STIGMA

STIGMA_FIELDS = {"output", "question_only"}
RESPONSE_FIELDS = {"model_response", "verification_prompt"}
EXPERIMENT_DIRS = {"stigma": STIGMA, "interjections": APPROPRIATENESS}

COMBINED = "combinations of the other files (importing them would count every response twice)"
TWIN = ("a CSV copy of the run in the JSON Lines file of the same date beside it (importing "
        "both would count its responses twice)")
NOT_A_RUN = ("in a run directory but not named by a date, as the paper names each run's file: "
             "not a run's results")


class NothingToImport(ValueError):
    """A directory with no results file of the paper's."""


@dataclass(frozen=True)
class Found:
    """A file of the walked directory: what it holds, or why it is skipped."""

    path: Path
    name: str  # the path under the walked directory
    experiment: str | None = None  # STIGMA | APPROPRIATENESS; None: skipped
    reason: str = ""


def _content(path: Path) -> str | None:
    """The experiment ``path``'s content belongs to, from its first row (or header)."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            if path.suffix.lower() == ".csv":
                header = {c.strip().lower() for c in next(csv.reader(handle), [])}
                return APPROPRIATENESS if set(CSV_REQUIRED) <= header else None
            first = next((line for line in handle if line.strip()), "")
        row = json.loads(first)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error):
        return None
    keys = set(row) if isinstance(row, dict) else set()
    return STIGMA if STIGMA_FIELDS <= keys else APPROPRIATENESS if RESPONSE_FIELDS <= keys \
        else None


def _classify(path: Path, name: str) -> Found:
    if path.name.startswith("all_combined"):
        return Found(path, name, reason=COMBINED)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        return Found(path, name, reason=f"not a results file ({suffix or 'no extension'})")
    experiment = _content(path)
    if layout_settings(path.parent.name) is None:
        if experiment is None:
            return Found(path, name, reason=f"not a results file (a {suffix} without the "
                                            "paper's fields)")
        return Found(path, name, experiment)
    if not DATE.match(path.stem):
        return Found(path, name, reason=NOT_A_RUN)
    if suffix == ".csv" and path.with_suffix(".jsonl").is_file():
        return Found(path, name, reason=TWIN)
    by_place = EXPERIMENT_DIRS.get(path.parent.parent.name)
    if experiment is None and by_place is None:
        return Found(path, name, reason=f"in a run directory, but neither its place nor its "
                                        f"content says stigma or responses ({suffix})")
    return Found(path, name, experiment or by_place)


def find_results(directory: Path) -> tuple[Path, list[Found]]:
    """The folder walked (``DIR/results`` of a checkout, else ``DIR``) and every file in it."""
    if not directory.is_dir():
        raise NothingToImport(f"{directory} is not a directory (give a checkout of the paper's "
                              "repository or its results/ folder)")
    root = directory / "results" if (directory / "results").is_dir() else directory
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(_classify(path, relative.as_posix()))
    return root, found


@dataclass
class PaperImport:
    """What ``import paper`` did: files imported, failed (with the error) and skipped."""

    root: Path
    imported: list[FileImport] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Found] = field(default_factory=list)


def _targets(found: list[Found], run_dir: Path, result: PaperImport
             ) -> list[tuple[Found, Target]]:
    """Each recognised file's configuration; a file whose path cannot be read fails."""
    chosen = []
    for experiment in (STIGMA, APPROPRIATENESS):
        parsed, mine = [], []
        for f in found:
            if f.experiment != experiment:
                continue
            try:
                file = paper_file(f.path, with_context=experiment == APPROPRIATENESS)
            except ValueError as err:
                result.failed.append((f.name, str(err)))
                continue
            parsed.append((f.path, file, file.preset(file.source).label))
            mine.append(f)
        for f, target in zip(mine, plan(parsed, experiment, run_dir), strict=True):
            if isinstance(target, ValueError):
                result.failed.append((f.name, str(target)))
            else:
                chosen.append((f, target))
    return chosen


def import_paper(directory: Path, run_dir: Path, judges: list[str],
                 echo: Callable[[str], None] = print,
                 escalate: str | None = None) -> PaperImport:
    """Import every recognised file of ``directory``; ``echo`` gets one line per file.
    ``judges`` and ``escalate`` judge the responses, as for ``run``."""
    validate_judges(judges, escalate)
    root, found = find_results(directory)
    recognised = [f for f in found if f.experiment]
    if not recognised:
        raise NothingToImport(
            f"{directory}: no results file of the paper's ({len(found)} file(s), none "
            "recognised); expected results/stigma/<settings>/DATE.jsonl, "
            "results/interjections/<settings>/DATE.jsonl or .csv")
    result = PaperImport(root, skipped=[f for f in found if not f.experiment])
    targets = _targets(recognised, run_dir, result)
    width = max((len(f"{t.display} · {t.label}") for _, t in targets), default=0)
    echo(f"Importing {len(recognised)} results file(s) from {root} into {run_dir}:")
    for name, error in result.failed:
        echo(f"  FAILED     {name}: {one_line(error)}")
    for f, target in targets:
        try:
            done = (import_stigma_file(target) if f.experiment == STIGMA
                    else import_response_file(target, judges, escalate))
        except (ValueError, OSError, LookupError, RuntimeError) as err:
            result.failed.append((f.name, str(err)))
            echo(f"  FAILED     {f.name}: {one_line(str(err))}")
            continue
        result.imported.append(done)
        echo(f"  {done.line(width)}")
    return result


def one_line(text: str) -> str:
    """An error message on one line (of at most 300 characters)."""
    return " ".join(text.split())[:300]


def skipped_text(skipped: list[Found]) -> str:
    """The skipped files grouped by reason."""
    if not skipped:
        return "Skipped no file."
    by_reason: dict[str, list[str]] = {}
    for f in skipped:
        by_reason.setdefault(f.reason, []).append(f.name)
    lines = [f"Skipped {len(skipped)} file(s):"]
    for reason, names in by_reason.items():
        lines.append(f"  {reason}:")
        lines += [f"    {name}" for name in names]
    return "\n".join(lines)
