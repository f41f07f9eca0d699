"""Judges of the appropriate-responses experiment: who answers a stimulus's verification
question about a response, and how every verdict records who decided it.

``rules/`` is the offline rules judge (a spec per question, ``yes``/``no``/``unsure`` with a
quoted span); ``llm.py`` the paper's LLM judge prompt; ``scorers.py`` the judges as Inspect
scorers (rules, LLM, the rules-then-LLM cascade, recorded verdicts); ``registry.py`` the one
place a ``--judge`` name becomes scorers; ``completion.py`` completes a judge's ``unsure``
verdicts with human labels.
"""
