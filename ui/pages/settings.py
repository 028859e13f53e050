"""Settings: who "me" is, appearance, data location; areas add their own tabs."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError
from app.services import practice
from app.store.migrate import HEAD_REVISION
from ui.context import AppContext
from ui.theme import THEMES, apply_theme
from ui.widgets import FieldError, page_header

# Modules providing ``SettingsTab(ctx, parent)`` and ``TAB_TITLE`` (one line per area).
SETTINGS_TABS: list[str] = [
    "ui.settings_security",
    "ui.settings_reminders",
    "ui.settings_hours",
]


class ProfileTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        form = QFormLayout(self)
        intro = QLabel(
            "Consultory shows your sessions, reminders and hours for the member profile you "
            "choose here. In a solo practice that is you; in a shared practice database each "
            "desktop picks its own.",
            self,
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.me_combo = QComboBox(self)
        self.me_combo.setObjectName("meCombo")
        form.addRow("&This desktop's user (“me”)", self.me_combo)
        self.error = FieldError(self)
        form.addRow(self.error)
        self.me_combo.activated.connect(self._on_me_combo_activated)

    def refresh(self) -> None:
        self.me_combo.clear()
        for m in practice.list_members(self.ctx.db):
            label = m.display_name + (f" · {m.credential}" if m.credential else "")
            self.me_combo.addItem(label, m.id)
        i = self.me_combo.findData(self.ctx.me_id)
        self.me_combo.setCurrentIndex(i)

    def _on_me_combo_activated(self, _index: int) -> None:
        mid = self.me_combo.currentData()
        if mid is None or mid == self.ctx.me_id:
            return
        try:
            practice.set_me(self.ctx.db, int(mid))
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return
        self.ctx.set_me(int(mid))
        self.ctx.notify_changed("settings")


class AppearanceTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.theme_combo = QComboBox(self)
        self.theme_combo.setObjectName("themeCombo")
        for key, label in THEMES.items():
            self.theme_combo.addItem(label, key)
        current = str(QSettings().value("appearance/theme", "system"))
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(current)))
        self.theme_combo.activated.connect(self._on_theme_combo_activated)
        form.addRow("&Theme", self.theme_combo)

    def _on_theme_combo_activated(self, _index: int) -> None:
        key = str(self.theme_combo.currentData())
        QSettings().setValue("appearance/theme", key)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, key)


class DataTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        form = QFormLayout(self)
        where = QLabel(str(ctx.db.data_dir), self)
        where.setTextInteractionFlags(where.textInteractionFlags() | where.textInteractionFlags())
        form.addRow("Data folder", where)
        form.addRow("Database file", QLabel(ctx.db.db_path.name, self))
        form.addRow("Schema version", QLabel(HEAD_REVISION, self))
        kind = "Synthetic demo data (unencrypted)" if ctx.db.is_demo else "Your practice data"
        form.addRow("Contents", QLabel(kind, self))
        self.check_button = QPushButton("Check database integrity", self)
        self.check_result = QLabel(self)
        self.check_button.clicked.connect(self._on_check_button_clicked)
        form.addRow(self.check_button, self.check_result)

    def _on_check_button_clicked(self) -> None:
        result = self.ctx.db.integrity_check()
        self.check_result.setText("OK — no problems found" if result == "ok" else result)


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsPage")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.addWidget(page_header("Settings", "", self))
        self.tabs = QTabWidget(self)
        self.profile = ProfileTab(ctx, self.tabs)
        self.tabs.addTab(self.profile, "&Profile")
        self.tabs.addTab(AppearanceTab(ctx, self.tabs), "&Appearance")
        for name in SETTINGS_TABS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            self.tabs.addTab(module.SettingsTab(ctx, self.tabs), module.TAB_TITLE)
        self.tabs.addTab(DataTab(ctx, self.tabs), "&Data")
        lay.addWidget(self.tabs, 1)

    def _tabs(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def refresh(self) -> None:
        for w in self._tabs():
            if hasattr(w, "refresh"):
                w.refresh()

    def has_unsaved_changes(self) -> bool:
        return any(getattr(w, "has_unsaved_changes", lambda: False)() for w in self._tabs())

    def save_changes(self) -> bool:
        return all(
            w.save_changes()
            for w in self._tabs()
            if getattr(w, "has_unsaved_changes", lambda: False)()
        )

    def discard_changes(self) -> None:
        for w in self._tabs():
            discard = getattr(w, "discard_changes", None)
            if discard is not None:
                discard()
