"""Warnings of one fit, kept as records on its result (拟合警告).

The study runner reports warnings per model (``results.json``: ``"warnings"``), so each
:class:`~nqp.econometrics.results.FeolsResult` carries the messages of the warnings emitted
while it was fitted. :func:`recorded` collects them with :func:`warnings.catch_warnings` and
emits them again afterwards, so a caller's warning filters (``"error"``, ``"ignore"``, ...)
still apply exactly as if nothing had been recorded.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from nqp.errors import NqpWarning

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def recorded(stacklevel: int = 1) -> Iterator[list[str]]:
    """Collect the warnings emitted inside the block; yield the list the messages of nqp's own
    warnings (:class:`~nqp.errors.NqpWarning`: about the model and its data) are appended to
    (filled when the block ends; a library's DeprecationWarning is not a fact about the model),
    then re-emit every warning in order, also when the block raises.

    stacklevel: where the re-emitted warnings point, counted as ``warnings.warn`` counts from
    the function holding the ``with`` statement (1: that function, 2: its caller)."""
    messages: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                yield messages
            finally:
                caught = list(rec or [])
    finally:
        messages.extend(str(w.message) for w in caught if isinstance(w.message, NqpWarning))
        for w in caught:
            # + 2: this generator and contextlib's __exit__ stand between us and the with block
            warnings.warn(w.message, stacklevel=stacklevel + 2)


def attach(result: Any, messages: list[str] | tuple[str, ...]) -> Any:
    """Set ``result.warnings`` (a frozen result made by this fit, not yet shared) and return it."""
    if hasattr(result, "warnings"):
        object.__setattr__(result, "warnings", tuple(dict.fromkeys(messages)))
    return result


def with_recorded_warnings(fn: F) -> F:
    """Decorator for an estimator: its result gets the warnings emitted while it ran."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with recorded(stacklevel=2) as messages:
            result = fn(*args, **kwargs)
        return attach(result, messages)

    return wrapper  # type: ignore[return-value]
