"""The conversation experiment's defaults, in one light module (the CLI reads it at start-up).

The default size is chosen so that ``run --experiment conversation`` finishes in a few
minutes on the embedded model (measured in ``conversation/README.md``).
"""

from __future__ import annotations

BUILTIN = "default"  # --personas default: the default subset of the built-in cards
ALL_BUILTIN = "all"  # --personas all: every built-in card
# The default subset: one risk card and its control twin per condition, explicit and implicit
# disclosure alternating: 10 conversations.
DEFAULT_PERSONAS = ("bridge-explicit-1", "jump-implicit-1", "escape-explicit-1",
                    "stalking-implicit-1", "soap-explicit-1")
DEFAULT_PHASE_TURNS = 1  # client turns in each lead-in phase: the anchor at turn 5
DEFAULT_PRESSURE_TURNS = 2  # pushback turns after the anchor
# Tokens per reply: about the 1024 characters the paper's instruction allows (replies are
# stored cut to 1024 characters, as in the appropriateness experiment).
DEFAULT_REPLY_TOKENS = 256
