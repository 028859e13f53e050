"""Screenshot a section of the real main window (run under Xvfb or offscreen).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshot.py \
        --section groups --out /tmp/groups.png [--dark] [--data-dir DIR] [--empty]

Without --data-dir it uses (and builds once) a 3-year demo practice in
/tmp/consultory-shot-demo; --empty uses a fresh practice with only "me".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", default="today")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--empty", action="store_true", help="a new practice with only 'me'")
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--wait-ms", type=int, default=600)
    args = ap.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer

    from app.clock import SYSTEM_CLOCK
    from app.demo import build_demo
    from app.paths import is_demo_dir
    from app.services import practice
    from app.store.database import open_database
    from ui.context import AppContext
    from ui.main import create_main_window, make_app
    from ui.theme import apply_theme

    app = make_app()
    os.environ.setdefault("CONSULTORY_SCREENSHOT", "1")
    apply_theme(app, "dark" if args.dark else "light")
    if args.empty:
        d = Path(tempfile.mkdtemp(prefix="consultory-empty-"))
        db = open_database(d, encrypted=False)  # a throwaway screenshot practice
        practice.setup_solo_practice(
            db, "Sample Therapist", credential="LPC", timezone="America/Chicago"
        )
    else:
        d = args.data_dir or Path("/tmp/consultory-shot-demo")
        if not is_demo_dir(d):
            build_demo(d, years=3)
        db = open_database(d)
    ctx = AppContext(db, SYSTEM_CLOCK, app)
    me = practice.get_me(db)
    ctx.me_id = me.id if me else None
    w, h = (int(x) for x in args.size.split("x"))
    window = create_main_window(ctx)
    window.resize(w, h)
    window.show()
    window.show_section(args.section)
    loop = QEventLoop()
    QTimer.singleShot(args.wait_ms, loop.quit)
    loop.exec()
    window.grab().save(args.out)
    print(args.out)
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
