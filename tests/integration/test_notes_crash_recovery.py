"""A note being typed survives a crash: the editor (running for real, offscreen, in a
child process) autosaves a draft, the process is SIGKILLed, and the next start offers
the draft back with the typed text."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from app.services import notes, practice
from app.store.database import open_database

EDITOR = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from app.clock import SYSTEM_CLOCK
    from app.services import notes
    from app.store.database import open_database
    from ui.context import AppContext
    from ui.note_editor import NoteEditor

    app = QApplication([])
    db = open_database(Path(sys.argv[1]), encrypted=False)
    ctx = AppContext(db, SYSTEM_CLOCK)
    ed = NoteEditor(ctx)
    ed.autosave_timer.setInterval(50)
    ed.new_note()
    ed.alias_edit.setText("C-21")
    ed.body.appendPlainText("typed before the crash")

    def check():
        if notes.pending_drafts(db):
            print("draft", flush=True)
        else:
            QTimer.singleShot(20, check)

    QTimer.singleShot(20, check)
    app.exec()
    """
)


def test_draft_typed_before_a_sigkill_is_offered_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = open_database(data, encrypted=False)
    practice.setup_solo_practice(db, "Sample Therapist")
    db.dispose()
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-c", EDITOR, str(data)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "draft"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    db = open_database(data, encrypted=False)
    try:
        [draft] = notes.pending_drafts(db)
        assert draft.payload["alias"] == "C-21"
        assert "typed before the crash" in draft.payload["body"]
        assert notes.list_notes(db) == []
    finally:
        db.dispose()
