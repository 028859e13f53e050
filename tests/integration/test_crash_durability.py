"""SIGKILL a writer mid-stream: every acknowledged commit survives, integrity is ok."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import select

from app.store.database import open_database
from app.store.engine import transaction
from app.store.models import Member

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.services import practice
    from app.store.database import open_database

    db = open_database(Path(sys.argv[1]), encrypted=False)
    i = 0
    while True:
        practice.create_member(db, f"Writer Member {i:06d}", timezone="UTC")
        # acknowledged only after the commit returned
        sys.stdout.write(f"{i}\\n")
        sys.stdout.flush()
        i += 1
    """
)


def test_sigkilled_writer_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_database(data, encrypted=False).dispose()
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo))
    for round_no in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        acked: list[int] = []
        target = 40 + round_no * 17
        for line in proc.stdout:
            acked.append(int(line))
            if len(acked) >= target:
                proc.send_signal(signal.SIGKILL)  # mid-stream: the next write is in flight
                break
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        # drain what the pipe still held: those were acknowledged too
        rest = proc.stdout.read()
        proc.stdout.close()
        acked += [int(x) for x in rest.split()]

        db = open_database(data, encrypted=False)
        assert db.integrity_check() == "ok"
        with transaction(db.engine) as s:
            names = set(s.exec(select(Member.display_name)).all())
        db.dispose()
        missing = [i for i in acked if f"Writer Member {i:06d}" not in names]
        assert missing == [], f"round {round_no}: lost acknowledged commits {missing[:5]}"
        # the next round continues the numbering from a fresh process: rename survivors
        db = open_database(data, encrypted=False)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE member SET display_name = 'r" + str(round_no) + "-' || display_name "
                "WHERE display_name LIKE 'Writer Member %'"
            )
        db.dispose()
