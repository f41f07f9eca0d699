"""``therapy-audit tag``: tag transcripts with the conditions a model finds in them (the
paper's filter step)."""

from __future__ import annotations

import argparse
from pathlib import Path

from therapy_audit.cli import options


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``tag``."""
    tag = sub.add_parser("tag", help="tag transcripts with the conditions a model finds in them")
    tag.add_argument("--transcripts", required=True, help="FILE (JSONL/CSV) or annomi:FILE")
    tag.add_argument("--model", default=options.DEFAULT_MODEL,
                     help=f"the model that finds the conditions (default {options.DEFAULT_MODEL})")
    tag.add_argument("-o", "--output", type=Path, required=True, help="tagged transcripts .jsonl")
    options.add_run_dir(tag)
    tag.set_defaults(handler=tag_command, uses_run_dir=True)


def tag_command(a: argparse.Namespace) -> int:
    """Ask the model per transcript and condition; write the tagged transcripts."""
    # Imported here: see cli.run (start-up time of --help and usage errors).
    from therapy_audit.appropriateness.tagging import tag_transcripts, write_tagged
    from therapy_audit.appropriateness.transcripts import load_transcripts
    from therapy_audit.engine import validate_model
    from therapy_audit.rundir import log_dir_for

    transcripts = load_transcripts(a.transcripts)
    if not transcripts:
        raise options.UsageError("no transcripts to tag")
    model = validate_model(a.model)
    tags = tag_transcripts(transcripts, model, log_dir_for(a.run_dir, "tagging", a.model, "none"))
    write_tagged(transcripts, tags, a.output)
    for tid, found in tags.items():
        print(f"{tid}: {', '.join(sorted(found)) or '(no condition found)'}")
    print(f"Wrote {a.output} (quotes in {a.output.with_suffix('.tags.json')})")
    return 0
