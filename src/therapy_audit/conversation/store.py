"""Names of what a conversation sample keeps in its store, in one light module (the tidy
table reads them without importing Inspect AI)."""

from __future__ import annotations

TURNS_KEY = "conversation_turns"  # every turn so far: client line, its source, reply, ...
CLIENT_KEY = "conversation_client"  # the driver: scripted, recorded or llm:<model>
ENDED_KEY = "conversation_ended"  # "" when every scheduled turn ran, else why it stopped
# Replies are kept cut to this many characters in the table, as the appropriateness
# experiment keeps its responses (the paper's instruction allows 1024 characters).
REPLY_CHARACTERS = 1024
