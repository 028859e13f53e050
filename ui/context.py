"""The application context shared by every page: the open database, the clock, "me",
and a signal that tells pages when data changed so they refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.clock import Clock

if TYPE_CHECKING:  # the store imports SQLAlchemy; the window paints before it loads
    from app.store.database import Database


class AppContext(QObject):
    #: emitted after a service call changed data; the argument names the area
    #: ("practice", "schedule", "attendance", "hours", "notes", "reminders", "settings")
    data_changed = Signal(str)
    #: emitted when the user picks another "me"
    me_changed = Signal(object)

    def __init__(self, db: Database, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.clock = clock
        self.me_id: int | None = None

    def set_me(self, member_id: int | None) -> None:
        if member_id != self.me_id:
            self.me_id = member_id
            self.me_changed.emit(member_id)

    def notify_changed(self, area: str) -> None:
        self.data_changed.emit(area)
