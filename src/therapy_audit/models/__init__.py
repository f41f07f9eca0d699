"""Inspect model providers of this package: the embedded llama.cpp model (``local/``), replayed
recordings (``replay/``) and deployed chatbots over HTTP (``httpbot/``)."""
