"""The headless CLI, run as a real process against real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "ui.launch", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli") / "demo"
    r = run("--data-dir", str(d), "demo", "--years", "2")
    assert r.returncode == 0, r.stderr
    assert "Demo practice built" in r.stdout
    return d


def assert_one_line_error(r: subprocess.CompletedProcess[str], needle: str) -> None:
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("consultory: ")
    assert needle in lines[0]


def test_help_and_headless_commands_never_import_qt(demo_dir: Path) -> None:
    probe = (
        "import sys\n"
        "from ui.launch import main\n"
        "try:\n"
        "    code = main(sys.argv[1:])\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "print('QT-LOADED' if any(m.startswith('PySide6') for m in sys.modules) else 'QT-FREE')\n"
    )
    for args in (["--help"], ["--data-dir", str(demo_dir), "groups", "list", "--json"],
                 ["--data-dir", str(demo_dir), "members", "list"]):
        r = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO, timeout=60)
        assert r.stdout.strip().endswith("QT-FREE"), (args, r.stdout[-300:], r.stderr)
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("demo", "groups", "members"):
        assert cmd in r.stdout


def test_demo_builds_a_realistic_marked_practice(demo_dir: Path) -> None:
    assert (demo_dir / "DEMO-DATA.txt").exists()
    groups = json.loads(run("--data-dir", str(demo_dir), "groups", "list", "--json").stdout)
    members = json.loads(run("--data-dir", str(demo_dir), "members", "list", "--json").stdout)
    assert len(groups) >= 5
    assert {g["kind"] for g in groups} == {
        "peer_consultation", "group_supervision", "individual_supervision"}
    assert len(members) >= 30
    assert sum(1 for m in members if m["is_me"]) == 1
    con = sqlite3.connect(demo_dir / "consultory.db")
    occ = con.execute("SELECT count(*) FROM occurrence").fetchone()[0]
    att = con.execute("SELECT count(*) FROM attendance").fetchone()[0]
    notes = con.execute("SELECT count(*) FROM case_note").fetchone()[0]
    con.close()
    assert occ > 300 and att > 1500 and notes > 50


def test_demo_refuses_to_overwrite_real_data(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "consultory.db").write_bytes(b"not a demo")
    r = run("--data-dir", str(real), "demo")
    assert_one_line_error(r, "not a demo practice")
    assert (real / "consultory.db").read_bytes() == b"not a demo"


def test_members_list_filters_by_group(demo_dir: Path) -> None:
    r = run("--data-dir", str(demo_dir), "members", "list", "--json",
            "--group", "trauma peer consultation")
    assert r.returncode == 0, r.stderr
    members = json.loads(r.stdout)
    assert members and all("Trauma peer consultation" in m["group_names"] for m in members)


def test_unknown_group_is_a_one_line_error(demo_dir: Path) -> None:
    r = run("--data-dir", str(demo_dir), "members", "list", "--group", "No Such Group")
    assert_one_line_error(r, "No group is named")


def test_bad_date_is_a_one_line_error(demo_dir: Path) -> None:
    members = json.loads(run("--data-dir", str(demo_dir), "members", "list", "--json").stdout)
    r = run("--data-dir", str(demo_dir), "members", "leave", members[0]["display_name"],
            "--from", "2026-13-01", "--to", "2026-12-20")
    assert_one_line_error(r, "is not a date")


def test_unusable_data_dir_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    r = run("--data-dir", str(blocker / "sub"), "groups", "list")
    assert_one_line_error(r, "data directory")


def test_locked_database_is_a_one_line_error(demo_dir: Path) -> None:
    holder = sqlite3.connect(demo_dir / "consultory.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run("--data-dir", str(demo_dir), "groups", "add", "Lock Test Group",
                env={"CONSULTORY_BUSY_TIMEOUT_MS": "200"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line_error(r, "busy")
