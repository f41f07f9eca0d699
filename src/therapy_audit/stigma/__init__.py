"""Experiment 1, stigma: vignettes, survey questions, coding, the Inspect task and its scorer
(Moore et al., FAccT 2025, section 4). See README.md in this folder."""
