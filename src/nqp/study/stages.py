"""Stage bookkeeping for a run: progress on the terminal, per-stage timings, warnings as records.

:class:`StageLog` is handed to every stage of ``nqp run``/``nqp demo``. ``with log.stage("panel"):``
prints the stage's start and its time when it ends, records the time, and catches the Python
warnings raised inside (``warnings.warn`` from any part of nqp) as :class:`WarningRecord` s with
the stage as their place, so the terminal shows each warning once as one line
(``warning: panel: TFP_LP not built: ...``) and never a ``warnings.warn`` line with a source
path. ``quiet`` silences progress only; warnings and errors are still printed. ``strict`` turns
the first warning into an error when its stage ends.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from nqp.errors import NqpError
from nqp.study.runner import WarningRecord


#: warnings that are routine notes, not problems (summarized on the terminal, still recorded)
NOTE_PATTERNS = ("singleton observation",)


class StrictModeError(NqpError):
    """``--strict``: a stage raised a warning."""


@dataclass
class StageLog:
    console: Console = field(default_factory=lambda: Console(stderr=False, highlight=False))
    quiet: bool = False
    strict: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[WarningRecord] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the run log (run.log)
    _t0: float = field(default_factory=time.perf_counter)

    def info(self, text: str) -> None:
        self.lines.append(Text.from_markup(text).plain)
        if not self.quiet:
            self.console.print(text)

    def warn(self, where: str, message: str) -> None:
        if message.startswith(f"{where}: "):  # a stage's own report already names it
            message = message[len(where) + 2:]
        rec = WarningRecord(where, message)
        if rec in self.warnings:
            return
        self.warnings.append(rec)
        self.lines.append(f"warning: {rec}")
        self.console.print(f"[yellow]warning[/yellow]: {rec}", markup=True, highlight=False)

    def add(self, records: list[WarningRecord]) -> None:
        """Record many warnings; routine notes (singletons dropped, as reghdfe notes them) are kept
        in the records but shown on the terminal as one summary line."""
        notes = [r for r in records if any(p in r.message for p in NOTE_PATTERNS)]
        for r in records:
            if r in notes:
                if r not in self.warnings:
                    self.warnings.append(r)
                    self.lines.append(f"note: {r}")
            else:
                self.warn(r.where, r.message)
        if notes and not self.quiet:
            self.console.print(f"  note: {len(notes)} models dropped singleton observations, as reghdfe does "
                               "(each is listed in results.json and run.log)", highlight=False)

    @contextmanager
    def stage(self, name: str, title: str, *, own_records: bool = False) -> Iterator[None]:
        """Time one stage and collect the warnings raised inside it (``own_records``: the stage
        reports its warnings as records itself, so the Python warnings it re-emits are dropped)."""
        self.info(f"[bold]▶ {title}[/bold]")
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in ([] if own_records else caught):
            self.warn(name, str(w.message))
        secs = time.perf_counter() - start
        self.seconds[name] = round(secs, 3)
        self.info(f"  done in {secs:.1f} s")
        if self.strict and any(r.where == name for r in self.warnings):
            raise StrictModeError(f"--strict: stage {name} raised warnings (listed above)")

    @property
    def total_seconds(self) -> float:
        return time.perf_counter() - self._t0
