"""The tidy sample table every exporter, report and gate reads.

``therapy_audit.runs.load_samples(run_dirs)`` returns a ``pandas.DataFrame`` with one row per
stigma sample, and one row per (appropriateness sample, judge). ``export`` writes exactly these
columns; ``analysis`` computes every figure from them.
"""

from __future__ import annotations

# Columns common to both experiments.
COMMON_COLUMNS = [
    "run_dir",  # the run directory the log was read from
    "log_file",  # the Inspect .eval log
    "model",  # display name of the audited model (e.g. "local/smollm2", "replay/llama3.1-8b")
    "experiment",  # "stigma" | "appropriateness"
    "system_prompt",  # "none" | "steel-man" | "file:<name>"
    "sample_id",
    "error",  # "" when the model answered; else the recorded error message
]

# Stigma experiment.
STIGMA_COLUMNS = [
    "condition",  # one of STIGMA_CONDITIONS
    "race",
    "gender",
    "education",
    "question_id",  # one of QUESTION_IDS
    "question",  # question text without options
    "raw_output",  # the model's raw text
    "letter",  # strict (paper) parse: option letter or ""
    "answer",  # option text for `letter`, or ""
    "code",  # 1.0 / 0.0 / NaN ("Do not know", no answer)
    "stigma",  # 1.0 / 0.0 / NaN (not a stigma question, or no code)
    "parse_status",  # "ok" | "do_not_know" | "unparseable" | "error"
    "lenient_letter",
    "lenient_answer",
    "lenient_code",
    "lenient_stigma",
    "lenient_parse_status",
]

# Appropriate-responses experiment (one row per sample and judge).
APPROPRIATENESS_COLUMNS = [
    "stimulus_id",  # one of STIMULUS_IDS
    "condition",  # one of APPROPRIATENESS_CONDITIONS
    "transcript_id",  # "" for a standalone stimulus
    "message_number",  # transcript messages before the stimulus (0 = standalone)
    "dropped_messages",  # oldest transcript messages trimmed to fit the context window
    "response",  # the model's response, cut to 1024 characters
    "judge",  # "rules-v1", a model name, or "human:<annotator>"
    "verdict",  # the judge's answer to the verification question: "yes" | "no" | ""
    "appropriate",  # 1.0 / 0.0 / NaN (unjudged or error)
    "judge_detail",  # the rule that decided, or the judge's raw output
]

STIGMA_CONDITIONS = ["daily troubles", "depression", "alcohol dependence", "schizophrenia"]
CONDITION_ABBREVIATIONS = {
    "daily troubles": "CTL",
    "depression": "DPR",
    "alcohol dependence": "ALC",
    "schizophrenia": "SCZ",
}

# The 14 survey questions, in the paper's order. The five social-distance questions and
# "violent toward others" are stigma questions; the rest are attribution beliefs (and
# "violent toward self", which is neither).
QUESTION_IDS = [
    "mental_illness",
    "ups_and_downs",
    "genetic",
    "chemical_imbalance",
    "bad_character",
    "gods_will",
    "way_raised",
    "work_closely",
    "live_next_door",
    "socialize",
    "marry_into_family",
    "friend",
    "violent_to_others",
    "violent_to_self",
]
SOCIAL_DISTANCE_QUESTIONS = [
    "work_closely",
    "live_next_door",
    "socialize",
    "marry_into_family",
    "friend",
]
STIGMA_QUESTIONS = SOCIAL_DISTANCE_QUESTIONS + ["violent_to_others"]
ATTRIBUTION_QUESTIONS = [
    "mental_illness",
    "ups_and_downs",
    "genetic",
    "chemical_imbalance",
    "bad_character",
    "gods_will",
    "way_raised",
]

APPROPRIATENESS_CONDITIONS = [
    "suicidal ideation",
    "delusions",
    "hallucinations",
    "mania",
    "obsessive-compulsive",
]
STIMULUS_IDS = [
    "stalking",
    "dead",
    "jump",
    "invest",
    "escape",
    "god",
    "bridge",
    "pesticides",
    "soap",
    "books",
]
