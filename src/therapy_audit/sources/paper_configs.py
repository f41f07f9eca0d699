"""Which configuration each imported results file becomes, so that two files never merge.

A configuration in every table is a (model display name, system prompt) pair; an imported
file's display name is ``replay/<model>``, with ``+context`` for contextualised runs. Two files
of one model and settings (the paper has one such pair: two Llama-3.1-8B stigma runs dated
2025-01-01 and 2025-01-02) would share a configuration, so both are then named with their
run's date: ``replay/meta-llama/Llama-3.1-8B-Instruct @2025-01-01``.

Earlier imports in the run directory count too (each import's log records its source file):

- the same file imported again (same source name) replaces its earlier import, also when its
  display name changes (its earlier logs are then removed once the new import has finished);
- a different file of the same configuration already imported under the plain name is an
  error, because telling the two apart means re-importing that one too: import both in one
  command, or give ``--model``;
- a file whose run has no date (renamed files, explicit options) cannot be told apart by date:
  an error asks for ``--model``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import read_eval_log

from therapy_audit.rundir import log_dir_for, replace_logs, slug
from therapy_audit.sources.paper_files import PaperFile

SOURCE_KEY = "paper_source"  # task metadata: the file's source name
BASE_KEY = "paper_configuration"  # task metadata: the plain display name (before any date)


@dataclass(frozen=True)
class Imported:
    """An earlier import found in the run directory."""

    source: str
    base: str
    label: str
    display: str
    log_dir: Path


@dataclass(frozen=True)
class Target:
    """Where one file is imported: its configuration and log directory."""

    path: Path
    file: PaperFile
    label: str  # system prompt label
    display: str  # model name in every table
    run_dir: Path
    experiment: str
    replaces: tuple[Path, ...] = ()  # earlier imports of this file under another name

    @property
    def log_dir(self) -> Path:
        return log_dir_for(self.run_dir, self.experiment, self.display, self.label)

    @property
    def recording(self) -> Path:
        """The replay recording of this configuration's outputs."""
        return self.run_dir / "recordings" / (
            f"{self.experiment}-{slug(self.display)}-{slug(self.label)}.jsonl")

    @property
    def model(self) -> str:
        """The replay model's name in Inspect (the display name without spaces)."""
        return self.display.replace(" ", "")

    @property
    def metadata(self) -> dict[str, str]:
        """Task metadata that names the configuration and the source file."""
        return {"model_display": self.display, SOURCE_KEY: self.file.source,
                BASE_KEY: self.file.display}

    def drop_replaced(self) -> None:
        """Remove this file's earlier imports under another name (after it was imported)."""
        for log_dir in self.replaces:
            replace_logs(log_dir)


def earlier_imports(run_dir: Path, experiment: str) -> list[Imported]:
    """The paper files already imported into ``run_dir`` for ``experiment``."""
    root = run_dir / "logs" / experiment
    found: dict[Path, Imported] = {}
    for path in sorted(root.rglob("*.eval")) if root.is_dir() else []:
        try:
            header = read_eval_log(str(path), header_only=True)
        except Exception:  # a foreign or truncated log: not one of ours to reconcile
            continue
        meta = header.eval.metadata or {}
        if SOURCE_KEY in meta and path.parent not in found:
            found[path.parent] = Imported(str(meta[SOURCE_KEY]), str(meta[BASE_KEY]),
                                          str(meta.get("system_prompt", "")),
                                          str(meta["model_display"]), path.parent)
    return list(found.values())


def _dated(base: str, files: Sequence[tuple[Path, PaperFile]], kept: list[Imported]
           ) -> list[str]:
    """Display names with the run's date for files sharing a configuration."""
    plain = [e for e in kept if e.display == e.base]
    if plain:
        new = ", ".join(str(p) for p, _ in files)
        raise ValueError(
            f"{new}: the run directory already holds {plain[0].source} as {base}, the same "
            "model and settings; import both files in one command (they are then told apart "
            "by date) or give --model NAME to name this one")
    undated = [p for p, f in files if not f.date]
    if undated:
        raise ValueError(f"{undated[0]}: another file of the same model and settings "
                         f"({base}) is imported too and this one has no date to tell them "
                         "apart; give --model NAME")
    names = [f"{base} @{f.date}" for _, f in files]
    taken = names + [e.display for e in kept]
    doubled = sorted({n for n in taken if taken.count(n) > 1})
    if doubled:
        raise ValueError(f"two different files would both be {doubled[0]} (same model, "
                         "settings and date); give --model NAME")
    return names


def plan(files: Sequence[tuple[Path, PaperFile, str]], experiment: str, run_dir: Path
         ) -> list[Target | ValueError]:
    """The configuration of each ``(path, file, system prompt label)`` to import, or why it
    cannot be imported beside the others (see the module docstring)."""
    earlier = earlier_imports(run_dir, experiment)
    sources = [f.source for _, f, _ in files]
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (_, file, label) in enumerate(files):
        groups.setdefault((file.display, label), []).append(index)
    names: dict[int, str | ValueError] = {}
    for (base, label), indices in groups.items():
        mine = {sources[i] for i in indices}
        kept = [e for e in earlier if (e.base, e.label) == (base, label) and e.source not in mine]
        if len(indices) == 1 and not kept:
            names[indices[0]] = base
            continue
        try:
            if len(mine) < len(indices):
                raise ValueError(f"{files[indices[0]][0]}: {base} is given twice (or two files "
                                 "have one name)")
            dated = _dated(base, [(files[i][0], files[i][1]) for i in indices], kept)
        except ValueError as err:
            dated = [err] * len(indices)
        names.update(zip(indices, dated, strict=True))
    targets: list[Target | ValueError] = []
    for index, (path, file, label) in enumerate(files):
        name = names[index]
        if isinstance(name, ValueError):
            targets.append(name)
            continue
        log_dir = log_dir_for(run_dir, experiment, name, label)
        replaced = tuple(e.log_dir for e in earlier
                         if e.source == file.source and e.log_dir != log_dir)
        targets.append(Target(path, file, label, name, run_dir, experiment, replaced))
    return targets


def plan_all(files: Sequence[tuple[Path, PaperFile, str]], experiment: str, run_dir: Path
             ) -> list[Target]:
    """:func:`plan`, raising the first file's problem (commands that import all or nothing)."""
    targets = plan(files, experiment, run_dir)
    for target in targets:
        if isinstance(target, ValueError):
            raise target
    return targets  # type: ignore[return-value]


@dataclass
class FileImport:
    """What one imported file became, for the one line printed per file."""

    target: Target
    kind: str  # "stigma" | "responses"
    rows: int
    notes: list[str]
    summary: str = ""  # the configuration's plain-text summary

    def line(self, width: int = 0) -> str:
        """``stigma     replay/x · none   1008 rows  <notes>  [source]``."""
        config = f"{self.target.display} · {self.target.label}"
        notes = "; ".join(self.notes)
        parts = self.target.file.source.split("/")
        source = f"{parts[0]}/…/{parts[-1]}" if len(parts) > 2 else "/".join(parts)
        return (f"{self.kind:<10} {config:<{width}}  {self.rows:>5} rows"
                f"{'  ' + notes if notes else ''}  [{source}]")
