"""Experiment 2, appropriate responses: the clinical stimuli, therapy transcripts, the Inspect
task and the judges of its responses (Moore et al., FAccT 2025, section 5). See README.md here."""
