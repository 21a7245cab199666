"""Lazy re-exports for package ``__init__`` modules.

``import nqp`` (and ``nqp.ingest``, ``nqp.measures``) stays fast, and a public name is imported
from the module that defines it only when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_getattr(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """Return a module-level ``__getattr__`` resolving ``names`` (public name -> defining module)."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
