""""Needs attention" items for the Today screen, gathered from each area's providers.

An area registers ``provider(db, me_id, now) -> list[AttentionItem]`` by appending to
PROVIDERS in its own module and naming that module in PROVIDER_MODULES.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.store.database import Database


@dataclass(frozen=True)
class AttentionItem:
    kind: str  # e.g. "follow_up", "hours_rule", "cadence", "missed_reminder", "conflict"
    severity: str  # "info" | "warning"
    title: str
    detail: str = ""
    due: date | None = None
    target: str = ""  # where to go: "calendar:<series>:<rid>", "notes:<id>", "hours", ...


Provider = Callable[[Database, int | None, datetime], list[AttentionItem]]

PROVIDERS: list[Provider] = []

# Modules that register providers on import (each area adds its own line).
PROVIDER_MODULES: list[str] = [
    "app.services.followups",
    "app.services.notes",
    "app.services.reminders",
    "app.services.hours",
    "app.services.attendance",
    "app.services.schedule",
]

_loaded = False


def load_providers() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in PROVIDER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def gather(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    load_providers()
    items: list[AttentionItem] = []
    for provider in PROVIDERS:
        items.extend(provider(db, me_id, now))
    order = {"warning": 0, "info": 1}
    items.sort(key=lambda i: (order.get(i.severity, 2), i.due or date.max, i.title))
    return items
