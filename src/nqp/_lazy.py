"""Lazy re-exports for package ``__init__`` modules.

``import nqp`` (and ``nqp.ingest``, ``nqp.econometrics``, ``nqp.panel``, ...) stays fast, and a
public name is imported from the module that defines it only when it is first used.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any


class _LazyPackage(ModuleType):
    """A package whose public names may share a submodule's name (``nqp.panel.describe`` the
    function, in module ``nqp/panel/describe.py``). Importing the submodule makes Python set the
    package attribute of that name to the module; here it is set to the module's public object
    instead, so the name means the same whatever was imported first (as an eager
    ``from .describe import describe`` in ``__init__`` made it)."""

    _lazy_names: dict[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        names = self.__dict__.get("_lazy_names", {})
        if (isinstance(value, ModuleType) and name in names and names[name] == value.__name__
                and hasattr(value, name)):
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_getattr(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """Return a module-level ``__getattr__`` resolving ``names`` (public name -> defining module),
    and a submodule's name to the submodule (``nqp.econometrics.demean``), imported on first use.
    Called from the package's ``__init__``, which it makes a :class:`_LazyPackage`."""
    module = sys.modules[package]
    module.__class__ = _LazyPackage
    module._lazy_names = dict(names)

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        if not name.startswith("_") and find_spec(f"{package}.{name}") is not None:
            return import_module(f"{package}.{name}")  # a submodule, as after ``import package.name``
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
