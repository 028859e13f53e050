"""A form base for editing one record: dirty tracking, inline errors, save/revert.

Subclasses add fields with ``add_field`` and implement ``values_from``/``check``/``persist``.
Typed ``ValidationError`` from a service lands under the field it names.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, StaleEditError, ValidationError
from ui.widgets import FieldError

FieldWidget = QLineEdit | QComboBox | QPlainTextEdit | QSpinBox


def widget_value(w: FieldWidget) -> Any:
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QSpinBox):
        return w.value()
    data = w.currentData()
    return data if data is not None else w.currentText()


def set_widget_value(w: FieldWidget, value: Any) -> None:
    if isinstance(w, QLineEdit):
        w.setText("" if value is None else str(value))
    elif isinstance(w, QPlainTextEdit):
        w.setPlainText("" if value is None else str(value))
    elif isinstance(w, QSpinBox):
        w.setValue(int(value or 0))
    else:
        i = w.findData(value)
        if i < 0:
            i = w.findText("" if value is None else str(value))
        if i >= 0:
            w.setCurrentIndex(i)
        elif w.isEditable():
            w.setEditText("" if value is None else str(value))


class RecordEditor(QWidget):
    saved = Signal(int)  # the record id
    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, FieldWidget] = {}
        self.errors: dict[str, FieldError] = {}
        self._loaded: dict[str, Any] = {}
        self._dirty = False
        self._loading = False
        self.record_id: int | None = None
        self.record_version: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setObjectName("editorTitle")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.title.setFont(f)
        outer.addWidget(self.title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(self.form)
        self.general_error = FieldError(self)
        outer.addWidget(self.general_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.setToolTip("Discard your changes (Esc)")
        self.save_button = QPushButton("Save", self)
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save_changes)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        self.buttons_row = buttons
        self.extra = QVBoxLayout()
        outer.addLayout(buttons)
        outer.addLayout(self.extra, 1)
        self._update_buttons()

    # --- building --------------------------------------------------------------------------
    def add_field(self, name: str, label: str, widget: FieldWidget) -> FieldWidget:
        widget.setObjectName(f"field_{name}")
        err = FieldError(self)
        err.setObjectName(f"error_{name}")
        box = QWidget(self)
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(2)
        bl.addWidget(widget)
        bl.addWidget(err)
        self.form.addRow(label, box)
        lab = self.form.labelForField(box)
        if isinstance(lab, QLabel):
            lab.setBuddy(widget)
        self.fields[name] = widget
        self.errors[name] = err
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._on_field_edited)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._on_field_edited)
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(self._on_field_edited)
        else:
            widget.currentIndexChanged.connect(self._on_field_edited)
            if widget.isEditable():
                widget.editTextChanged.connect(self._on_field_edited)
        return widget

    # --- state -----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {k: widget_value(w) for k, w in self.fields.items()}

    def load_values(
        self, values: dict[str, Any], record_id: int | None, version: int | None, title: str
    ) -> None:
        self._loading = True
        try:
            for k, v in values.items():
                set_widget_value(self.fields[k], v)
            self._loaded = self.values()
            self.record_id = record_id
            self.record_version = version
            self.title.setText(title)
            for e in self.errors.values():
                e.show_message("")
            self.general_error.show_message("")
        finally:
            self._loading = False
        self._set_dirty(False)

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = not any(e.text() for e in self.errors.values())
        self.save_button.setEnabled(self._dirty and ok)
        self.revert_button.setEnabled(self._dirty)

    def _on_field_edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._set_dirty(self.values() != self._loaded)
        problems = self.check(self.values())
        for k, e in self.errors.items():
            e.show_message(problems.get(k, ""))
        self._update_buttons()

    def revert(self) -> None:
        self.load_values(self._loaded, self.record_id, self.record_version, self.title.text())

    def save_changes(self) -> bool:
        """Validate and persist; returns True when saved (or nothing to save)."""
        if not self._dirty:
            return True
        vals = self.values()
        problems = self.check(vals)
        for k, e in self.errors.items():
            e.show_message(problems.get(k, ""))
        if problems:
            self.fields[next(iter(problems))].setFocus()
            return False
        try:
            rid = self.persist(vals)
        except ValidationError as exc:
            target = self.errors.get(exc.field)
            if target is not None:
                target.show_message(exc.message)
                self.fields[exc.field].setFocus()
            else:
                self.general_error.show_message(exc.message)
            self._update_buttons()
            return False
        except StaleEditError as exc:
            self.general_error.show_message(str(exc))
            return False
        except ConsultoryError as exc:
            self.general_error.show_message(str(exc))
            return False
        self._loaded = vals
        self.record_id = rid
        self._set_dirty(False)
        self.saved.emit(rid)
        return True

    # --- for subclasses --------------------------------------------------------------------
    def check(self, values: dict[str, Any]) -> dict[str, str]:
        """Instant, local validation: field -> message."""
        return {}

    def persist(self, values: dict[str, Any]) -> int:
        raise NotImplementedError
