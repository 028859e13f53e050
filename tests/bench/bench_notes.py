"""Case-notes benchmark (run on demand): ``python tests/bench/bench_notes.py``.

Prints p50/p99 for
  * the editor's live guard on a 2,000-word note (find_phi over title+body, placing the
    marks and re-highlighting the document) — what runs after each typing pause;
  * full-text search over 5,000 notes with FTS5 and with the LIKE fallback;
  * listing notes with a filter.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.services import notes, practice  # noqa: E402
from app.services.notes import NoteFilter  # noqa: E402
from app.store.database import open_database  # noqa: E402
from app.store.engine import transaction  # noqa: E402
from app.store.models import CaseNote  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "deid_corpus" / "corpus.jsonl"
WORDS = (
    "panic sleep grief exposure boundary rupture repair avoidance shame anger couples "
    "family trauma relapse craving hierarchy mindfulness validation attachment school "
    "work supervision countertransference risk safety plan medication adherence"
).split()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timeit(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    print(f"{label:<48} p50 {statistics.median(ms):7.2f} ms   p99 {pct(ms, 99):7.2f} ms")


def long_note(words: int = 2000) -> str:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines() if line]
    out: list[str] = []
    i = 0
    while sum(len(t.split()) for t in out) < words:
        out.append(texts[i % len(texts)])
        i += 1
    return "\n\n".join(out)


_app: object = None  # the QApplication must outlive the function that made it


def bench_editor() -> None:
    from PySide6.QtWidgets import QApplication

    from app.clock import SYSTEM_CLOCK
    from ui.context import AppContext
    from ui.note_editor import NoteEditor

    global _app
    _app = app = QApplication.instance() or QApplication([])
    d = Path(tempfile.mkdtemp(prefix="bench-notes-ed-"))
    db = open_database(d, encrypted=False)
    ctx = AppContext(db, SYSTEM_CLOCK)
    ed = NoteEditor(ctx)
    ed.resize(1100, 700)
    ed.show()
    ed.new_note()
    text = long_note()
    ed.body.setPlainText(text)
    ed.title_edit.setText("Consultation about avoidance")
    app.processEvents()
    ms = timeit(ed.recheck_now, 60)
    print(f"editor note: {len(text.split())} words, {ed.unresolved_count()} findings")
    report("live guard (find_phi + marks + rehighlight)", ms)
    ed.close()
    db.dispose()


def bench_search(n_notes: int = 5000) -> None:
    rng = random.Random(3)
    d = Path(tempfile.mkdtemp(prefix="bench-notes-search-"))
    db = open_database(d, encrypted=False)
    g = practice.create_group(db, "Bench group")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    with transaction(db.engine) as s:
        for i in range(n_notes):
            at = start + timedelta(hours=7 * i)
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 400)))
            if i % 100 == 0:  # a word in 1% of the notes
                body += " bereavement"
            s.add(
                CaseNote(
                    alias=f"C-{i % 300}",
                    group_id=g.id if i % 2 else None,
                    title=f"Consultation {i}",
                    body=body,
                    tags=",".join(rng.sample(WORDS[:10], 2)),
                    created_at=at,
                    updated_at=at,
                )
            )
    print(f"search: {n_notes} notes inserted and indexed in {time.perf_counter() - t0:.1f} s")
    for fts in (True, False):
        name = "FTS5" if fts else "LIKE"
        report(
            f"search a word in 1% of notes ({name})",
            timeit(lambda f=fts: notes.search_notes(db, "bereavement", use_fts=f), 30),
        )
        report(
            f"search a word in most notes ({name})",
            timeit(lambda f=fts: notes.search_notes(db, "rupture", use_fts=f), 30),
        )
        report(
            f'search word + "phrase" ({name})',
            timeit(lambda f=fts: notes.search_notes(db, 'shame "family trauma"', use_fts=f), 30),
        )
        report(
            f"search with group+tag filter ({name})",
            timeit(
                lambda f=fts: notes.search_notes(
                    db, "sleep", NoteFilter(group_id=g.id, tag="grief"), use_fts=f
                ),
                30,
            ),
        )
    report(
        "list notes, alias filter",
        timeit(lambda: notes.list_notes(db, NoteFilter(alias="C-12")), 30),
    )
    db.dispose()


if __name__ == "__main__":
    bench_editor()
    bench_search()
