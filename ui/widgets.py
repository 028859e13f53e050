"""Small reusable widgets: empty states, inline field errors, page headers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)


class EmptyState(QWidget):
    """A friendly 'nothing here yet' panel with an optional action button."""

    def __init__(
        self,
        title: str,
        text: str,
        action_text: str | None = None,
        on_action: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        from PySide6.QtCore import Qt  # not at import: see ui.main_window._USER_ROLE

        super().__init__(parent)
        self.setObjectName("emptyState")
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        self.title_label = QLabel(title, self)
        f = QFont(self.title_label.font())
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self.title_label.setFont(f)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label = QLabel(text, self)
        self.text_label.setWordWrap(True)
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text_label.setMaximumWidth(460)
        # low enough that an empty state never widens a side list in a small window
        self.text_label.setMinimumWidth(140)
        self.text_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        lay.addWidget(self.title_label, 0, Qt.AlignmentFlag.AlignHCenter)
        # A word-wrapped label only gets its full height without an alignment flag in
        # its layout: centre it with stretches instead.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text_label, 4)
        row.addStretch(1)
        lay.addLayout(row)
        self.action_button: QPushButton | None = None
        if action_text and on_action:
            self.action_button = QPushButton(action_text, self)
            self.action_button.clicked.connect(on_action)
            lay.addSpacing(8)
            lay.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)


class EmptyOr(QStackedWidget):
    """Shows ``content`` when there is data, else ``empty``."""

    def __init__(self, content: QWidget, empty: EmptyState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.empty = empty
        self.addWidget(content)
        self.addWidget(empty)

    def set_empty(self, is_empty: bool) -> None:
        self.setCurrentWidget(self.empty if is_empty else self.content)

    def is_showing_empty(self) -> bool:
        return self.currentWidget() is self.empty


class FieldError(QLabel):
    """An inline validation message under a form field (hidden when empty)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setStyleSheet("color: #d9534f;")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


def page_header(title: str, subtitle: str = "", parent: QWidget | None = None) -> QWidget:
    w = QWidget(parent)
    lay = QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 4)
    col = QVBoxLayout()
    t = QLabel(title, w)
    t.setObjectName("pageTitle")
    f = QFont(t.font())
    f.setPointSizeF(f.pointSizeF() * 1.6)
    f.setBold(True)
    t.setFont(f)
    col.addWidget(t)
    if subtitle:
        s = QLabel(subtitle, w)
        s.setObjectName("pageSubtitle")
        s.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        s.setWordWrap(True)  # wraps beside the page's buttons in a small window
        col.addWidget(s)
    lay.addLayout(col, 1)  # the (word-wrapped) subtitle takes the width it is given
    return w


def section_label(text: str, parent: QWidget | None = None) -> QLabel:
    lab = QLabel(text, parent)
    f = QFont(lab.font())
    f.setBold(True)
    f.setPointSizeF(f.pointSizeF() * 1.1)
    lab.setFont(f)
    return lab
