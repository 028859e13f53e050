"""The Clock protocol. Production code asks a Clock for the time; tests inject a FakeClock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK: Clock = SystemClock()


def utcnow(clock: Clock | None = None) -> datetime:
    return (clock or SYSTEM_CLOCK).now()
