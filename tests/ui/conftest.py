from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from app.services import practice
from app.store.database import Database
from tests.fakes import FakeClock
from ui.context import AppContext
from ui.main import create_main_window, make_app
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings (window geometry, theme) go to a temporary place, never the user's."""
    path = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    make_app()
    yield


@pytest.fixture
def ctx(db: Database, fake_clock: FakeClock) -> Iterator[AppContext]:
    context = AppContext(db, fake_clock)
    yield context
    context.deleteLater()


@pytest.fixture
def me_ctx(ctx: AppContext) -> AppContext:
    me = practice.setup_solo_practice(ctx.db, "Sample Therapist", timezone="America/Chicago")
    ctx.me_id = me.id
    return ctx


@pytest.fixture
def window(qtbot, me_ctx: AppContext, monkeypatch) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = create_main_window(me_ctx)  # closed below, not by qtbot (which would run first)
    w.resize(1200, 780)
    w.show()
    qtbot.waitExposed(w)
    yield w
    # closing at teardown must not block on an "unsaved changes?" question
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Discard)
    w.close()
    w.deleteLater()
