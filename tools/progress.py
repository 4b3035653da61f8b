"""Progress of long runs and sweeps on a terminal: steps (or runs) done and time left; silent when not a terminal."""

from __future__ import annotations

import math
import sys
import time


def format_duration(seconds: float) -> str:
    """A short human duration: '45 s', '12 min', '2 h 05 min'."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min"


class Progress:
    """A one-line progress display on stderr, updated at most a few times a second.

    It shows only when the stream is a terminal, so logs and pipes stay
    clean; ``enabled=False`` turns it off altogether.
    """

    def __init__(self, total: int, label: str, stream=None, enabled: bool | None = None) -> None:
        self.total = max(1, total)
        self.label = label
        self.stream = stream or sys.stderr
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = is_tty and enabled is not False
        self.done = 0
        self._start = time.perf_counter()
        self._shown = 0.0
        self._width = 0

    def advance(self, k: float = 1) -> None:
        """Count ``k`` more steps done (a fraction of a step is allowed: a run partly done)."""
        self.done += k
        now = time.perf_counter()
        if self.enabled and (now - self._shown > 0.25 or self.done >= self.total):
            self._shown = now
            elapsed = now - self._start
            left = elapsed / self.done * (self.total - self.done) if self.done else 0.0
            line = (
                f"{self.label}: {math.floor(self.done + 1e-9)}/{self.total} ({self.done / self.total:.0%}), "
                f"{format_duration(left)} left "
            )
            self._width = max(self._width, len(line))
            self.stream.write("\r" + line.ljust(self._width))
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * max(70, self._width) + "\r")
            self.stream.flush()
