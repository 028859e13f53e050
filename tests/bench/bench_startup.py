"""Start-up benchmark (run on demand): whole-process time to first paint and to a
populated Today screen, against two baselines measured in the same run.

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_startup.py [--runs 7] [--years 10]

(a) a bare PySide6 window; (b) a bare window after importing sqlmodel and APScheduler.
Targets: first paint <= 1.5x (a); populated Today <= 1.3x (b); peak RSS <= 200 MiB.
Every process is timed from just before spawn to the moment it reports (a timestamp it
prints), so interpreter start-up and imports are included in every figure alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BARE = r"""
import sys, time
{imports}
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
w = QWidget(); w.resize(1200, 780)
class F(QObject):
    done = False
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and not F.done:
            F.done = True
            print(f"consultory-timing first-paint {{time.time():.6f}}", file=sys.stderr, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
f = F(); w.installEventFilter(f); w.show()
app.exec()
"""


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)
    _pid, status, usage = os.wait4(proc.pid, 0)
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}):\n{err[-2000:]}")
    marks: dict[str, float] = {}
    for line in err.splitlines():
        if line.startswith("consultory-timing "):
            _, event, stamp = line.split()
            marks.setdefault(event, float(stamp) - t0)
    return marks, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--data-dir", type=Path, help="reuse a demo directory")
    args = ap.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               CONSULTORY_TIMING="1", PYTHONPATH=str(REPO))
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="consultory-bench-")) / "demo"
    if not (data / "DEMO-DATA.txt").exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ui.launch", "--data-dir", str(data), "demo",
                        "--years", str(args.years)], check=True, env=env, cwd=REPO,
                       stdout=subprocess.DEVNULL)
        print(f"built {args.years}-year demo in {time.perf_counter() - t:.1f} s: {data}")
    xdg = tempfile.mkdtemp(prefix="consultory-bench-config-")
    env["XDG_CONFIG_HOME"] = xdg  # don't touch the user's QSettings

    cmds = {
        "bare": [sys.executable, "-c", BARE.format(imports="")],
        "bare+imports": [sys.executable, "-c",
                         BARE.format(imports="import sqlmodel, apscheduler.schedulers.qt")],
        "app": [sys.executable, "-m", "ui.launch", "--demo", "--data-dir", str(data),
                "--quit-when-ready"],
    }
    results: dict[str, dict[str, list[float]]] = {k: {} for k in cmds}
    rss: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.runs):  # interleaved so drift affects all alike
        for name, cmd in cmds.items():
            marks, peak = run_once(cmd, env)
            rss[name].append(peak)
            for event, t in marks.items():
                results[name].setdefault(event, []).append(t)

    def med(name: str, event: str) -> float:
        return statistics.median(results[name][event])

    a = med("bare", "first-paint")
    b = med("bare+imports", "first-paint")
    paint = med("app", "first-paint")
    today = med("app", "today-ready")
    peak = max(rss["app"])
    print(f"runs: {args.runs} (medians), platform: {env['QT_QPA_PLATFORM']}, data: {data}")
    print(f"(a) bare PySide6 window, first paint:            {a * 1000:7.1f} ms")
    print(f"(b) bare window + sqlmodel + APScheduler:        {b * 1000:7.1f} ms")
    print(f"Consultory first paint:                          {paint * 1000:7.1f} ms"
          f"  = {paint / a:.2f}x (a)   target <= 1.50x  {'OK' if paint / a <= 1.5 else 'MISS'}")
    print(f"Consultory Today populated:                      {today * 1000:7.1f} ms"
          f"  = {today / b:.2f}x (b)   target <= 1.30x  {'OK' if today / b <= 1.3 else 'MISS'}")
    print(f"Consultory peak RSS:                             {peak:7.1f} MiB"
          f"            target <= 200 MiB {'OK' if peak <= 200 else 'MISS'}")
    for event in sorted(results["app"], key=lambda e: med("app", e)):
        print(f"    app mark {event:<14} {med('app', event) * 1000:7.1f} ms")
    print(f"(baseline peak RSS: bare {max(rss['bare']):.1f} MiB, "
          f"bare+imports {max(rss['bare+imports']):.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
