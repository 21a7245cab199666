"""Named errors and warnings of nqp.

Every error and warning carries *where* the problem is -- file, column, row, variable,
firm, year -- and puts it in its message, so that a user of real CSMAR exports can find
the offending cell. Modelled on ``linearmodels/shared/exceptions.py``.

Add new classes here (one place for all of them); subclass the closest existing one.
"""

from __future__ import annotations

from typing import Any

_PLACE_FIELDS = ("file", "table", "column", "row", "variable", "firm", "year")


def _plain(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (``np.int64(0)`` -> ``0``), for messages."""
    if type(v).__module__ == "numpy" and hasattr(v, "item"):
        try:
            return v.item()
        except (ValueError, TypeError):
            return v
    return v


def _place(**where: Any) -> str:
    """`` [file='a.csv', row=7]``: strings quoted, numbers (numpy's too) as written."""
    parts = []
    for k in _PLACE_FIELDS:
        v = _plain(where.get(k))
        if v is not None:
            parts.append(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}")
    return f" [{', '.join(parts)}]" if parts else ""


class _Located:
    """Mixin: keeps the location fields as attributes and appends them to the message."""

    def _init_place(self, message: str, where: dict[str, Any]) -> str:
        unknown = set(where) - set(_PLACE_FIELDS)
        if unknown:
            raise TypeError(f"unknown location field(s): {sorted(unknown)}")
        for k in _PLACE_FIELDS:
            setattr(self, k, where.get(k))
        self.message = message
        return message + _place(**where)


class NqpError(_Located, Exception):
    """Base class of every nqp error.

    >>> raise NqpError("negative employees", variable="employees", firm="000001", year=2015)
    """

    def __init__(self, message: str, **where: Any) -> None:
        super().__init__(self._init_place(message, where))


# --- input ------------------------------------------------------------------------------
class InputError(NqpError):
    """Bad input data: a file, table or column that cannot be used as it is."""


class MissingFileError(InputError):
    """An expected input file does not exist."""


class EncodingError(InputError):
    """A text file's encoding could not be determined or decoded."""


class SchemaError(InputError):
    """A column is missing, misspelt or of the wrong type."""


class DuplicateKeyError(InputError):
    """Two rows share a key that must be unique (e.g. firm, date, report type)."""


class EmptyInputError(InputError):
    """A file or table has no data rows."""


class TruncatedInputError(InputError):
    """A file ends in the middle of a record."""


class DocumentError(InputError):
    """One document (an annual report, a patent record) cannot be used; runs record it and go on."""


# --- configuration ----------------------------------------------------------------------
class ConfigError(NqpError):
    """A study, mapping, indicator or variable definition is invalid."""


# --- output -----------------------------------------------------------------------------
class ReportError(NqpError):
    """A table, figure or report cannot be made from the results, or its output cannot be written."""


# --- estimation -------------------------------------------------------------------------
class EstimationError(NqpError):
    """A model cannot be estimated as specified."""


class FormulaError(EstimationError):
    """A model formula cannot be parsed or names unknown variables."""


class IdentificationError(EstimationError):
    """The model is not identified (e.g. an underidentified IV model, no variation left)."""


class ConvergenceError(EstimationError):
    """An iterative algorithm did not converge and no usable answer exists."""


# --- warnings ---------------------------------------------------------------------------
class NqpWarning(_Located, UserWarning):
    """Base class of every nqp warning."""

    def __init__(self, message: str, **where: Any) -> None:
        super().__init__(self._init_place(message, where))


class DataWarning(NqpWarning):
    """Data look suspicious but can be used (e.g. a negative value set to missing)."""


class MissingValueWarning(NqpWarning):
    """Rows were dropped because of missing values."""


class SingletonWarning(NqpWarning):
    """Singleton groups of a fixed effect were dropped (as reghdfe does)."""


class CollinearityWarning(NqpWarning):
    """Collinear regressors were detected and dropped."""


class ConvergenceWarning(NqpWarning):
    """An iterative algorithm stopped before its tolerance was met; the answer may be inexact."""


class WeakInstrumentWarning(NqpWarning):
    """Instruments are weak by the Stock-Yogo or Kleibergen-Paap criterion."""


class InferenceUnavailableWarning(NqpWarning):
    """A statistic cannot be computed for this model (e.g. fewer than two clusters)."""


class WrongSkewnessWarning(NqpWarning):
    """OLS residuals of a frontier model have the wrong skew: no inefficiency is identified."""


class ConstantIndicatorWarning(NqpWarning):
    """An index indicator has no variation; it gets weight zero."""


class SectionNotFoundWarning(NqpWarning):
    """No MD&A / board-report heading was found; the whole report was used."""
