"""import-ics, export-ics and sessions, run as real processes against real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "ics-corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"iCalendar corpus not found at {CORPUS} (../shared/ics-corpus)"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.launch", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=120,
        cwd=REPO,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    r = run("--data-dir", str(d), "groups", "add", "Trauma peer consultation")
    assert r.returncode == 0, r.stderr
    return d


@needs_corpus
def test_import_list_export_and_reimport(data_dir: Path, tmp_path: Path) -> None:
    src = CORPUS / "icalevents__recurr_id_dtstart_missmatch.ics"
    r = run("--data-dir", str(data_dir), "import-ics", str(src), "--group", "Exchange team")
    assert r.returncode == 0, r.stderr
    assert "1 new series" in r.stdout

    r = run("--data-dir", str(data_dir), "sessions", "--from", "2022-01-01", "--to",
            "2022-12-31", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 7
    first = rows[0]
    assert set(first) >= {"start", "end", "title", "group", "series_id", "status"}
    assert first["start"] == "2022-03-09T18:00:00Z" and first["end"] == "2022-03-09T19:00:00Z"
    assert first["group"] == "Exchange team" and first["status"] == "scheduled"
    assert first["title"] == "Recurring Event - Exception 1"  # the override's own SUMMARY
    moved = [x for x in rows if x["start"].startswith("2022-04-13")]
    assert moved[0]["start"] == "2022-04-13T14:30:00Z" and moved[0]["moved"]

    out = tmp_path / "out.ics"
    r = run("--data-dir", str(data_dir), "export-ics", "--group", "Exchange team", "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600
    # the series and its two overrides (one moved, both with their own SUMMARY)
    assert text.count("BEGIN:VEVENT") == 3
    assert "SUMMARY:Recurring Event - Exception 1" in text
    assert "RECURRENCE-ID;TZID=America/New_York:20220413T130000" in text

    # importing the same file again updates instead of duplicating
    r = run("--data-dir", str(data_dir), "import-ics", str(src), "--group", "Exchange team")
    assert "0 new series, 1 updated" in r.stdout
    r = run("--data-dir", str(data_dir), "sessions", "--from", "2022-01-01", "--to",
            "2022-12-31", "--json")
    assert len(json.loads(r.stdout)) == 7


@needs_corpus
def test_malformed_file_is_refused_in_one_line(data_dir: Path) -> None:
    bad = CORPUS / "malformed" / "icalendar__small_bad_calendar.ics"
    r = run("--data-dir", str(data_dir), "import-ics", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("consultory: The file is cut off")


def test_missing_file_and_bad_dates_are_user_errors(data_dir: Path, tmp_path: Path) -> None:
    r = run("--data-dir", str(data_dir), "import-ics", str(tmp_path / "nope.ics"))
    assert r.returncode == 2 and "Cannot read" in r.stderr
    r = run("--data-dir", str(data_dir), "sessions", "--from", "2026-13-01", "--to",
            "2026-12-31")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = run("--data-dir", str(data_dir), "export-ics", "--group", "No such", "-o", "-")
    assert r.returncode == 2 and "No group" in r.stderr
