"""The main window: a sidebar of sections and a stack of lazily created pages.

Only the first page (Today) is built before the first paint; the others are imported and
built the first time they are shown. Geometry and the last section are remembered.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, cast

from PySide6.QtCore import QByteArray, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.widgets import EmptyState, page_header

# key, sidebar label, "module:Class", placeholder text while the module is missing
SECTIONS: list[tuple[str, str, str, str]] = [
    ("today", "Today", "ui.pages.today:TodayPage", ""),
    (
        "calendar",
        "Calendar",
        "ui.pages.calendar:CalendarPage",
        "Your sessions in agenda, week and month views will appear here.",
    ),
    ("groups", "Groups && members", "ui.pages.groups:GroupsPage", ""),
    (
        "notes",
        "Case notes",
        "ui.pages.notes:NotesPage",
        "De-identified case notes, with a guard that catches identifying details, "
        "will appear here.",
    ),
    (
        "hours",
        "Hours",
        "ui.pages.hours:HoursPage",
        "Your supervision and consultation hours, and progress toward licensure, will appear here.",
    ),
    ("settings", "Settings", "ui.pages.settings:SettingsPage", ""),
]

SECTION_ICONS = {
    "today": "◉",
    "calendar": "▦",
    "groups": "◎",
    "notes": "✎",
    "hours": "◔",
    "settings": "⚙",
}


# Qt.ItemDataRole.UserRole as a plain int: touching PySide6's `Qt` namespace builds all of
# its enums (about 12 ms), which the window shell can do after its first paint.
_USER_ROLE = 0x0100


class Page(Protocol):
    def refresh(self) -> None: ...


class PlaceholderPage(QWidget):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(page_header(title))
        lay.addWidget(EmptyState("Coming soon", text, parent=self), 1)


class LoadingPage(QWidget):
    """Shown while the database opens. Centred with stretches rather than alignment flags,
    so the first paint needs none of the `Qt` enum namespace."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(page_header("Consultory"))
        lay.addStretch(1)
        for text, title in (("Loading", True), ("Opening your practice…", False)):
            row = QHBoxLayout()
            row.addStretch(1)
            label = QLabel(text, self)
            if title:  # as EmptyState's title
                f = QFont(label.font())
                f.setPointSizeF(f.pointSizeF() * 1.3)
                f.setBold(True)
                label.setFont(f)
            else:
                label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            row.addWidget(label)
            row.addStretch(1)
            lay.addLayout(row)
        lay.addStretch(2)


def _load_page_class(spec: str) -> type[QWidget] | None:
    module_name, _, cls_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return cast(type[QWidget], getattr(module, cls_name))


class MainWindow(QMainWindow):
    section_changed = Signal(str)
    first_painted = Signal()

    def __init__(
        self,
        ctx: AppContext | None = None,
        parent: QWidget | None = None,
        *,
        is_demo: bool = False,
    ) -> None:
        """With ``ctx`` None the window is a shell that paints at once (sidebar and a
        loading page) while the database opens; ``attach(ctx)`` then fills it."""
        super().__init__(parent)
        self.ctx: AppContext | None = None
        self.setObjectName("mainWindow")
        self._pages: dict[str, QWidget] = {}
        self._painted = False
        self._refresh_pending: set[str] = set()
        self._set_title(is_demo)
        self.setMinimumSize(QSize(760, 520))

        central = QWidget(self)
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.sidebar = QListWidget(central)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(220)
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setSpacing(2)
        self.sidebar.setAccessibleName("Sections")
        for i, (key, label, _spec, _ph) in enumerate(SECTIONS):
            text = label.replace("&&", "&")
            item = QListWidgetItem(f"{SECTION_ICONS.get(key, '•')}  {text}")
            item.setData(_USER_ROLE, key)
            item.setToolTip(f"{text} (Ctrl+{i + 1})")
            item.setSizeHint(QSize(180, 36))
            self.sidebar.addItem(item)
        self.stack = QStackedWidget(central)
        lay.addWidget(self.sidebar)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.loading_page = LoadingPage(self.stack)
        self.stack.addWidget(self.loading_page)
        self.sidebar.currentRowChanged.connect(self._on_sidebar_row_changed)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        self._actions_built = False  # built on attach: QKeySequence builds the `Qt` enums
        if ctx is not None:
            self.attach(ctx)

    def _set_title(self, is_demo: bool) -> None:
        title = "Consultory"
        if is_demo:
            title += " — DEMO DATA (synthetic, unencrypted)"
        self.setWindowTitle(title)

    def attach(self, ctx: AppContext) -> None:
        """Connect the open database: pages are built from now on."""
        self.ctx = ctx
        if not self._actions_built:
            self._actions_built = True
            self._build_actions()
        self._set_title(ctx.db.is_demo)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        where = "demo data" if ctx.db.is_demo else "local, private data"
        self.status_label.setText(f"{where}: {ctx.db.data_dir}")
        row = self.sidebar.currentRow()
        if row >= 0:
            self._on_sidebar_row_changed(row)

    # --- actions & shortcuts ---------------------------------------------------------------
    def _build_actions(self) -> None:
        for i, (key, label, _s, _p) in enumerate(SECTIONS):
            act = QAction(label.replace("&&", "&"), self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, k=key: self.show_section(k))
            self.addAction(act)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self._on_refresh_triggered)
        self.addAction(refresh)
        quit_act = QAction("Quit", self)
        quit_act.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_act.triggered.connect(self.close)
        self.addAction(quit_act)
        focus_side = QAction("Focus sections", self)
        focus_side.setShortcut(QKeySequence("Alt+0"))
        focus_side.triggered.connect(self.sidebar.setFocus)
        self.addAction(focus_side)

    def _on_refresh_triggered(self) -> None:
        page = self.stack.currentWidget()
        if hasattr(page, "refresh"):
            page.refresh()

    # --- sections --------------------------------------------------------------------------
    def section_keys(self) -> list[str]:
        return [k for k, *_ in SECTIONS]

    def current_section(self) -> str:
        return SECTIONS[max(0, self.sidebar.currentRow())][0]

    def page(self, key: str) -> QWidget:
        if self.ctx is None:
            return self.loading_page
        if key not in self._pages:
            self._pages[key] = self._create_page(key)
            self.stack.addWidget(self._pages[key])
        return self._pages[key]

    def _create_page(self, key: str) -> QWidget:
        for k, label, spec, placeholder in SECTIONS:
            if k == key:
                cls = _load_page_class(spec)
                if cls is None:
                    return PlaceholderPage(label.replace("&&", "&"), placeholder, self.stack)
                return cls(self.ctx, self.stack)  # type: ignore[call-arg]
        raise KeyError(key)

    def open_target(self, target: str) -> None:
        """Go to ``section`` or ``section:detail`` (e.g. ``notes:12``,
        ``calendar:<series>:<recurrence id>``); the page interprets the detail."""
        key = target.split(":", 1)[0]
        if key not in self.section_keys():
            return
        self.show_section(key)
        opener = getattr(self.page(key), "open_target", None)
        if opener is not None and ":" in target:
            opener(target)

    def show_section(self, key: str) -> None:
        row = self.section_keys().index(key)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)
        else:
            self._on_sidebar_row_changed(row)

    def _on_sidebar_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = SECTIONS[row][0]
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        if page is self.loading_page:
            return
        if key in self._refresh_pending or not getattr(page, "_refreshed_once", False):
            self._refresh_pending.discard(key)
            if hasattr(page, "refresh"):
                page._refreshed_once = True  # type: ignore[attr-defined]
                page.refresh()
        self.section_changed.emit(key)

    def _on_ctx_data_changed(self, _area: str) -> None:
        current = self.stack.currentWidget()
        for key, page in self._pages.items():
            if page is current:
                if hasattr(page, "refresh"):
                    page.refresh()
            else:
                self._refresh_pending.add(key)

    # --- state -----------------------------------------------------------------------------
    def restore_state(self, settings: QSettings) -> None:
        geo = settings.value("window/geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geo))
        else:
            self.resize(1200, 780)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/section", self.current_section())

    def unsaved_pages(self) -> list[tuple[str, Any]]:
        out = []
        for key, page in self._pages.items():
            check = getattr(page, "has_unsaved_changes", None)
            if check is not None and check():
                out.append((key, page))
        return out

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for key, page in self.unsaved_pages():
            self.show_section(key)
            answer = QMessageBox.question(
                self,
                "Unsaved changes",
                "You have unsaved changes on this page. Save them before closing?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save and not page.save_changes():
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Discard:
                discard = getattr(page, "discard_changes", None)
                if discard is not None:
                    discard()
        self.save_state(QSettings())
        event.accept()

    @property
    def has_painted(self) -> bool:
        return self._painted

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)
