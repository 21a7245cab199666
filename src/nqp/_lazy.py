"""Lazy re-exports for package ``__init__`` modules.

``import nqp`` (and ``nqp.ingest``, ``nqp.econometrics``, ``nqp.panel``, ...) stays fast, and a public name is imported
from the module that defines it only when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from typing import Any


def lazy_getattr(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """Return a module-level ``__getattr__`` resolving ``names`` (public name -> defining module),
    and a submodule's name to the submodule (``nqp.econometrics.demean``), imported on first use."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        if not name.startswith("_") and find_spec(f"{package}.{name}") is not None:
            return import_module(f"{package}.{name}")  # a submodule, as after ``import package.name``
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
