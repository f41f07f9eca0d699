"""Experiment 3: multi-turn conversations. Persona cards (``cards``), the phase schedule
(``schedule``), scripted and LLM client drivers (``clients``), the Inspect task and solver, the
per-turn judging with quotes checked against the transcript (``judging``, ``evidence``), and how
its scored samples become table rows (``rows``); built on the appropriateness stimuli and
judges."""
