"""The in-app reminder banner: the last notification fallback, and the place where a
delivered reminder stays until it is acknowledged or snoozed.

It holds a queue of outstanding reminders and shows the first; the buttons act on it.
Every button has a mnemonic, so the banner works from the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

SNOOZE_BUTTONS = ((5, "&5 min"), (15, "1&5 min"), (60, "1 &hour"))


@dataclass(frozen=True)
class BannerItem:
    key: str
    headline: str  # e.g. "Before the session"
    title: str  # the session's title
    when: str  # e.g. "today 14:00 (in 15 min)"
    can_open: bool = True
    due_utc: datetime | None = None


class ReminderBanner(QFrame):
    acknowledged = Signal(str)
    snoozed = Signal(str, int)
    open_requested = Signal(str)

    #: emitted when the queue goes from empty to non-empty (True) or back (False), for a
    #: container (e.g. a toolbar) that shows and hides the banner
    shown_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, manage_visibility: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBanner")
        self._manage = manage_visibility
        self._was_shown = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Reminder")
        self.setStyleSheet(
            "#reminderBanner { background: palette(alternate-base); border: 1px solid "
            "palette(highlight); border-left: 6px solid palette(highlight); border-radius: 6px; }"
        )
        self._items: list[BannerItem] = []
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        icon = QLabel(self)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(28, 28)
        )
        lay.addWidget(icon)
        text = QVBoxLayout()
        self.headline = QLabel(self)
        self.headline.setObjectName("bannerHeadline")
        hf = QFont(self.headline.font())
        hf.setBold(True)
        self.headline.setFont(hf)
        self.detail = QLabel(self)
        self.detail.setObjectName("bannerDetail")
        self.detail.setWordWrap(True)
        text.addWidget(self.headline)
        text.addWidget(self.detail)
        lay.addLayout(text, 1)
        self.more = QLabel(self)
        self.more.setObjectName("bannerMore")
        lay.addWidget(self.more)
        self.open_button = QPushButton("&Open session", self)
        self.open_button.setObjectName("bannerOpen")
        self.open_button.clicked.connect(self._on_open_clicked)
        lay.addWidget(self.open_button)
        lay.addWidget(QLabel("Snooze:", self))
        self.snooze_buttons: dict[int, QPushButton] = {}
        for minutes, label in SNOOZE_BUTTONS:
            b = QPushButton(label, self)
            b.setObjectName(f"bannerSnooze{minutes}")
            b.setToolTip(f"Remind me again in {label.replace('&', '')}")
            b.clicked.connect(lambda _=False, m=minutes: self._on_snooze_clicked(m))
            self.snooze_buttons[minutes] = b
            lay.addWidget(b)
        self.ack_button = QPushButton("&Got it", self)
        self.ack_button.setObjectName("bannerAcknowledge")
        self.ack_button.setToolTip("Acknowledge this reminder")
        self.ack_button.setDefault(True)
        self.ack_button.clicked.connect(self._on_ack_clicked)
        lay.addWidget(self.ack_button)
        if self._manage:
            self.hide()

    # --- queue -----------------------------------------------------------------------------
    def items(self) -> list[BannerItem]:
        return list(self._items)

    def current(self) -> BannerItem | None:
        return self._items[0] if self._items else None

    def add_item(self, item: BannerItem) -> None:
        self._items = [i for i in self._items if i.key != item.key]
        self._items.append(item)
        self._items.sort(key=lambda i: (i.due_utc is None, i.due_utc or datetime.min))
        self._update()

    def remove_item(self, key: str) -> None:
        self._items = [i for i in self._items if i.key != key]
        self._update()

    def _set_shown(self, on: bool) -> None:
        if self._manage:
            self.setVisible(on)
        if on != self._was_shown:
            self._was_shown = on
            self.shown_changed.emit(on)

    def _update(self) -> None:
        item = self.current()
        if item is None:
            self._set_shown(False)
            return
        self.headline.setText(f"{item.headline}: {item.title}")
        self.detail.setText(item.when)
        n = len(self._items) - 1
        self.more.setText(f"+{n} more" if n else "")
        self.more.setVisible(n > 0)
        self.open_button.setVisible(item.can_open)
        self._set_shown(True)

    # --- slots -----------------------------------------------------------------------------
    def _on_open_clicked(self) -> None:
        item = self.current()
        if item is not None:
            self.open_requested.emit(item.key)

    def _on_snooze_clicked(self, minutes: int) -> None:
        item = self.current()
        if item is not None:
            self.snoozed.emit(item.key, minutes)

    def _on_ack_clicked(self) -> None:
        item = self.current()
        if item is not None:
            self.acknowledged.emit(item.key)
