"""Serve a GGUF model over an OpenAI-compatible HTTP API with ``llama_cpp.server``.

``python -m therapy_audit.models.serve --model smollm2 --host 127.0.0.1 --port 8000`` is
``python -m llama_cpp.server`` with two conveniences: ``--model smollm2`` names the embedded
model's file, and weights load without llama.cpp's extra CPU buffer types (AMX, repacking),
which crash on virtual machines that advertise AMX without enabling it
(``--extra-buffers`` keeps them). Every other option is ``llama_cpp.server``'s own.
"""

from __future__ import annotations

import sys

from therapy_audit.models.local import EMBEDDED_MODELS, embedded_model_path, without_extra_buffers


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    extra = "--extra-buffers" in args
    if extra:
        args.remove("--extra-buffers")
    if "--model" in args:
        i = args.index("--model") + 1
        if i < len(args) and args[i] in EMBEDDED_MODELS:
            args[i] = str(embedded_model_path(args[i]))
    from llama_cpp.server.__main__ import main as server_main

    sys.argv = ["llama_cpp.server", *args]
    if extra:
        server_main()
    else:
        with without_extra_buffers():
            server_main()


if __name__ == "__main__":
    main()
