"""First run: who is using this desktop ("me")? Create a profile or pick an existing one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConsultoryError, ValidationError
from app.services import practice
from ui.context import AppContext
from ui.widgets import FieldError


class FirstRunDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.pages.groups import _system_zone, timezone_names

        self.ctx = ctx
        self.setWindowTitle("Welcome to Consultory")
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        intro = QLabel(
            "<b>Welcome.</b> Consultory keeps your consultation and supervision schedule, "
            "de-identified case notes and hours on this computer only.<br><br>"
            "First, who is using this desktop?",
            self,
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        members = practice.list_members(ctx.db)
        self.mode = QButtonGroup(self)
        self.new_radio = QRadioButton("Create my profile", self)
        self.pick_radio = QRadioButton("I am already a member of this practice", self)
        self.mode.addButton(self.new_radio)
        self.mode.addButton(self.pick_radio)
        lay.addWidget(self.new_radio)
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 8)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("firstRunName")
        self.name_edit.setPlaceholderText("How colleagues see you")
        self.cred_edit = QLineEdit(self)
        self.cred_edit.setPlaceholderText("e.g. LCSW, LPC-Associate (optional)")
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("optional")
        self.tz_combo = QComboBox(self)
        self.tz_combo.setEditable(True)
        self.tz_combo.addItems(timezone_names())
        self.tz_combo.setCurrentText(_system_zone())
        self.group_edit = QLineEdit(self)
        self.group_edit.setPlaceholderText("optional, e.g. “Tuesday peer consultation”")
        form.addRow("&Name", self.name_edit)
        form.addRow("&Credential", self.cred_edit)
        form.addRow("&Email", self.email_edit)
        form.addRow("&Time zone", self.tz_combo)
        form.addRow("A group I &run", self.group_edit)
        lay.addLayout(form)
        lay.addWidget(self.pick_radio)
        self.pick_combo = QComboBox(self)
        for m in members:
            self.pick_combo.addItem(m.display_name, m.id)
        lay.addWidget(self.pick_combo)
        self.error = FieldError(self)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        # with nobody in the practice yet there is nobody to pick
        self.pick_radio.setVisible(bool(members))
        self.pick_combo.setVisible(bool(members))
        self.new_radio.setVisible(bool(members))
        self.pick_combo.setEnabled(False)
        self.new_radio.toggled.connect(self._on_new_radio_toggled)
        self.new_radio.setChecked(True)
        self.created_id: int | None = None

    def _on_new_radio_toggled(self, checked: bool) -> None:
        for w in (self.name_edit, self.cred_edit, self.email_edit, self.tz_combo, self.group_edit):
            w.setEnabled(checked)
        self.pick_combo.setEnabled(not checked)

    def accept(self) -> None:
        try:
            if self.new_radio.isChecked():
                me = practice.setup_solo_practice(
                    self.ctx.db,
                    self.name_edit.text(),
                    credential=self.cred_edit.text(),
                    email=self.email_edit.text(),
                    timezone=self.tz_combo.currentText(),
                    group_name=self.group_edit.text().strip() or None,
                )
            else:
                me = practice.set_me(self.ctx.db, int(self.pick_combo.currentData()))
        except ValidationError as exc:
            self.error.show_message(exc.message)
            return
        except ConsultoryError as exc:
            self.error.show_message(str(exc))
            return
        self.created_id = me.id
        self.ctx.set_me(me.id)
        super().accept()

    def reject(self) -> None:  # a profile is required; closing quits the app instead
        super().reject()
