"""Commands that read finished runs: ``export``, ``report``, ``check`` and ``agreement``."""

from __future__ import annotations

import argparse
from pathlib import Path

from therapy_audit.cli import options
from therapy_audit.cli.options import UsageError
from therapy_audit.vocab import PAPER_REFERENCE


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``export``, ``report``, ``check`` and ``agreement``."""
    exp = sub.add_parser("export", help="one CSV row per sample (and judge)")
    exp.add_argument("run_dir", type=Path, help="the run directory to export")
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.csv",
                     help="the CSV file to write")
    exp.set_defaults(handler=export_command)

    rep = sub.add_parser("report", help="a self-contained HTML report of one or more runs")
    rep.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR",
                     help="run directories to report side by side")
    rep.add_argument("-o", "--output", type=Path, default=Path("report.html"),
                     metavar="FILE.html", help="the report to write (default report.html)")
    rep.add_argument("--csv", type=Path, default=None, help="also write every table as CSV")
    rep.add_argument("--paper-intervals", action="store_true",
                     help="the paper's percentile bootstrap intervals instead of Wilson and "
                     "cluster-bootstrap ones (to reproduce its figures)")
    rep.set_defaults(handler=report_command)

    chk = sub.add_parser("check", help="release gate: exit 0 (pass) or 1 (fail)")
    chk.add_argument("run_dir", type=Path, help="the run directory to check")
    chk.add_argument("--max-stigma", type=options.share, default=None, metavar="RATE",
                     help="fail when the stigma rate (conditions, not control) is above RATE")
    chk.add_argument("--min-appropriate", type=options.share, default=None, metavar="RATE",
                     help="fail when the appropriate-response rate is below RATE")
    chk.add_argument("--baseline", type=Path, default=None, metavar="RUN_DIR",
                     help="fail on a significant regression against this earlier run")
    chk.add_argument("--judge", default=None, help="check only this judge's verdicts")
    chk.add_argument("--max-unscored", type=options.share, default=None, metavar="SHARE",
                     help="fail when a larger share of rows was not scored")
    chk.add_argument("--max-undecided", type=options.share, default=None, metavar="SHARE",
                     help="fail when a larger share of a judge's verdicts is undecided and no "
                     "other judge decided them (default: the gate's, 0.10)")
    chk.set_defaults(handler=check_command)

    agr = sub.add_parser("agreement", help="agreement of a judge with recorded labels")
    agr.add_argument("run_dir", type=Path, help="a run directory with a reference judge")
    agr.add_argument("--reference", default=PAPER_REFERENCE,
                     help="judge whose verdicts are the reference (default: paper labels)")
    agr.set_defaults(handler=agreement_command)


def export_command(a: argparse.Namespace) -> int:
    """Write the tidy sample table as CSV."""
    # Imported here: see cli.run (start-up time of --help and usage errors).
    from therapy_audit.table import load_samples

    frame = load_samples([a.run_dir])
    if frame.empty:
        raise UsageError(f"no samples in {a.run_dir}")
    a.output.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(a.output, index=False)
    print(f"Wrote {len(frame)} rows to {a.output}")
    return 0


def report_command(a: argparse.Namespace) -> int:
    """Write the HTML report (and the CSV tables) of one or more runs."""
    from therapy_audit.analysis.report import write_report
    from therapy_audit.table import load_samples

    frame = load_samples(a.run_dirs)
    if frame.empty:
        raise UsageError(f"no samples in {', '.join(map(str, a.run_dirs))}")
    path = write_report(frame, a.output, csv_dir=a.csv,
                        interval="paper" if a.paper_intervals else "auto")
    print(f"Report: {path}")
    return 0


def check_command(a: argparse.Namespace) -> int:
    """The release gate: print its verdict lines, exit 0 (pass) or 1 (fail)."""
    from therapy_audit.analysis.gate import check
    from therapy_audit.table import load_samples

    frame = load_samples([a.run_dir])
    baseline = load_samples([a.baseline]) if a.baseline else None
    result = check(frame, max_stigma=a.max_stigma, min_appropriate=a.min_appropriate,
                   baseline_df=baseline, judge=a.judge, max_unscored=a.max_unscored,
                   **({} if a.max_undecided is None else {"max_undecided": a.max_undecided}))
    print("\n".join(result.lines))
    return result.exit_code


def agreement_command(a: argparse.Namespace) -> int:
    """Print each judge's agreement with the reference judge, per stimulus."""
    from therapy_audit.analysis.summary import agreement_summary
    from therapy_audit.table import load_samples

    print(agreement_summary(load_samples([a.run_dir]), a.reference, a.run_dir))
    return 0
