"""Stopping cleanly on SIGTERM or SIGINT: finish the current step, skip the rest.

The first signal asks the process to stop (:data:`STOP` is set; the daily job checks it
between steps and the export between deliveries); a second one stops at once. During a
crawl, Scrapy's own handlers do the same for the crawl (a graceful close first, then a
forced one), so :func:`install` is called again after each step.
"""

import logging
import signal
import threading
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


class StopRequest:
    """A process-wide "please stop" flag with the signal that set it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def request(self, reason: str) -> None:
        """Ask the process to stop after what it is doing now."""
        self.reason = reason
        self._event.set()

    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` as soon as a stop is asked for."""
        return self._event.wait(seconds)

    def reset(self) -> None:
        """Forget an earlier request (tests, and a scheduler between runs)."""
        self._event.clear()
        self.reason = None


STOP = StopRequest()


def _handler(signum: int, _frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if STOP.requested():
        log.warning("%s again: stopping now", name)
        raise KeyboardInterrupt
    log.warning("%s: stopping after the current step", name)
    STOP.request(name)


def install() -> Any:
    """Handle SIGTERM and SIGINT with :data:`STOP` (main thread only; no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return previous


def restore(previous: Any) -> None:
    """Put back the handlers :func:`install` replaced."""
    if previous is None or threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGTERM, previous[0])
    signal.signal(signal.SIGINT, previous[1])
