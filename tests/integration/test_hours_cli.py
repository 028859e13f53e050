"""``consultory hours`` and ``consultory hours-report``, run as real processes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from app.services import attendance, hours
from app.services.attendance import Mark
from app.store.database import open_database
from tests.fakes import FakeClock
from tests.unit.test_hours_support import build_practice, monday, tuesday

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, module: str = "ui.launch") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("QT_QPA_PLATFORM", None)  # the command must manage without a display itself
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hours") / "data"
    db = open_database(d, clock=FakeClock(), encrypted=False)
    pr = build_practice(db)
    attendance.take(db, pr.supervision, monday(5), [Mark(pr.alex), Mark(pr.sam)])
    attendance.take(db, pr.supervision, monday(12), [Mark(pr.alex, "late", 10), Mark(pr.sam)])
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "left_early", 0, 30)])
    hours.add_entry(db, pr.alex, date(2026, 1, 8), 600, "direct_client_contact", "=SUM(A1)")
    hours.add_entry(db, pr.alex, date(2026, 2, 3), 45, "indirect_work", "Case notes")
    hours.lock_period(db, pr.alex, date(2026, 1, 1), date(2026, 1, 31))
    db.dispose()
    return d


def test_hours_json_lists_entries_and_totals_to_the_minute(data_dir: Path) -> None:
    r = run(
        "--data-dir",
        str(data_dir),
        "hours",
        "--member",
        "alex doe",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["member"] == "Alex Doe"
    assert (out["from"], out["to"]) == ("2026-01-01", "2026-01-31")
    assert out["total_minutes"] == 60 + 50 + 60 + 600
    assert out["totals_minutes"] == {
        "individual_supervision": 110,
        "peer_consultation": 60,
        "direct_client_contact": 600,
    }
    assert sum(e["minutes"] for e in out["entries"]) == out["total_minutes"]
    assert [e["source"] for e in out["entries"]].count("manual") == 1
    assert out["requirement_set"]["id"] == "builtin:example-associate"
    # 600 min of direct contact count as 12 h in the example set (a 50-minute hour)
    assert out["counted_hours"]["direct_client_contact"] == 12.0
    assert out["warnings"] == []


def test_hours_csv_has_one_row_per_entry_and_defuses_formulas(data_dir: Path) -> None:
    r = run("--data-dir", str(data_dir), "hours", "--member", "Alex Doe", "--all", "--csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 5
    assert sum(int(x["minutes"]) for x in rows) == 815
    manual = [x for x in rows if x["source"] == "manual"]
    assert manual[0]["description"] == "'=SUM(A1)"
    assert rows[0]["date"] == "2026-01-05" and rows[0]["hours"] == "1.00"


def test_hours_text_summary_and_unknown_member(data_dir: Path) -> None:
    r = run("--data-dir", str(data_dir), "hours", "--member", "Alex Doe")
    assert r.returncode == 0, r.stderr
    assert "Individual supervision" in r.stdout and "1 h 50 min" in r.stdout
    bad = run("--data-dir", str(data_dir), "hours", "--member", "Nobody Here", "--json")
    assert bad.returncode == 2
    assert bad.stderr.startswith("consultory: No member is named")
    assert "Traceback" not in bad.stderr


def test_hours_report_writes_a_pdf_whose_text_reads_back(data_dir: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "alex-january.pdf"
    r = run(
        "--data-dir",
        str(data_dir),
        "hours-report",
        "--member",
        "Alex Doe",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "-o",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert "Wrote" in r.stdout and "4 entries" in r.stdout
    assert out.stat().st_mode & 0o777 == 0o600
    reader = PdfReader(str(out))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for needle in (
        "Supervised hours log",
        "Alex Doe",
        "LPC-Associate",
        "Sam Roe",  # the supervisor, found from the supervision group
        "2026-01-01 to 2026-01-31",
        "Individual supervision",
        "Peer consultation",
        "Direct client contact",
        "1 h 50 min",  # 60 + 50 minutes of individual supervision
        "12 h 50 min",  # the total, to the minute
        "Signed and locked",
        "Candidate:",
        "Supervisor:",
        "not legal advice",
        f"page 1 of {len(reader.pages)}",
    ):
        assert needle in flat, needle
    assert "2026-02-03" not in flat  # outside the period


def test_hours_report_refuses_bad_input_in_one_line(data_dir: Path, tmp_path: Path) -> None:
    r = run(
        "--data-dir",
        str(data_dir),
        "hours-report",
        "--member",
        "Alex Doe",
        "--from",
        "2026-02-01",
        "--to",
        "2026-01-01",
        "-o",
        str(tmp_path / "x.pdf"),
    )
    assert r.returncode == 2 and "--to must be on or after --from" in r.stderr
    r = run(
        "--data-dir",
        str(data_dir),
        "hours-report",
        "--member",
        "Alex Doe",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "-o",
        str(tmp_path / "x.txt"),
    )
    assert r.returncode == 2 and ".pdf" in r.stderr
    r = run(
        "--data-dir",
        str(data_dir),
        "hours-report",
        "--member",
        "Alex Doe",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "-o",
        str(tmp_path / "x.pdf"),
        module="app",
    )
    assert r.returncode == 2 and "'consultory' command" in r.stderr
