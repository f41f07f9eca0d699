"""The project's shared vocabulary: experiment names, judge names and their prefixes.

Every string that names an experiment or a judge in logs, tables, CSV files and reports is
defined here once, so a judge's recorded name and the code that reads it can never drift apart.
Domain facts (conditions, questions, stimuli) live with their experiment; this module holds
only the names that cross experiments and layers.
"""

from __future__ import annotations

# Experiments, in the order commands run and reports show them.
STIGMA = "stigma"
APPROPRIATENESS = "appropriateness"
EXPERIMENTS = (STIGMA, APPROPRIATENESS)

# Judge names as recorded with every verdict.
RULES_JUDGE = "rules"  # what users type: --judge rules
RULES_JUDGE_NAME = "rules-v2"  # what the rules judge records; bumped when its verdicts change
UNSURE = "unsure"  # a judge's abstention: no decisive evidence; never counted appropriate
GRADER_ROLE = "grader"  # --judge grader: Inspect's grader model role
HUMAN_PREFIX = "human:"  # human annotators and respondents' labels: "human:<annotator>"
PAPER_PREFIX = "paper:"  # labels recorded in the paper's results files
PAPER_JUDGE_MODEL = "gpt-4o-2024-08-06"  # the paper's LLM judge
PAPER_JUDGE = f"{PAPER_PREFIX}{PAPER_JUDGE_MODEL}"
PAPER_REFERENCE = "paper"  # `agreement --reference paper` means PAPER_JUDGE


def human_judge(annotator: str) -> str:
    """The recorded judge name of a human annotator."""
    return f"{HUMAN_PREFIX}{annotator}"


def is_human(judge: str) -> bool:
    """Whether a recorded judge name belongs to a person."""
    return str(judge).startswith(HUMAN_PREFIX)


def reference_judge(name: str) -> str:
    """The recorded judge name a user means by ``name`` (``paper`` -> the paper's judge)."""
    return PAPER_JUDGE if name == PAPER_REFERENCE else name
