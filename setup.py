"""Optional native build of the PHI detector.

Everything else about the package is declared in ``pyproject.toml``. When a C compiler,
the Python headers and mypyc are available, the detector's rule modules
(``app/deid/{patterns,names,detector}.py``) are copied to ``app.deid._native`` and compiled
with mypyc, which makes ``find_phi`` about 1.5x faster. If anything is missing, or the
compiler fails, the install goes on and the pure-Python detector is used: the results are
identical either way (``tests/unit/test_deid_native.py`` checks that). Set
``CONSULTORY_NATIVE=0`` to skip the native build.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
DEID = ROOT / "app" / "deid"


def _say(msg: str) -> None:
    print(f"consultory native build: {msg}", file=sys.stderr)


def _native_extensions() -> list[object]:
    if os.environ.get("CONSULTORY_NATIVE", "1") == "0":
        _say("skipped (CONSULTORY_NATIVE=0)")
        return []
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        _say("skipped: no Python headers (install python3-dev); using pure Python")
        return []
    if shutil.which(os.environ.get("CC", "gcc")) is None and shutil.which("cc") is None:
        _say("skipped: no C compiler; using pure Python")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _say("skipped: mypyc is not installed; using pure Python")
        return []
    digest_mod = runpy.run_path(str(DEID / "_digest.py"))
    modules: tuple[str, ...] = digest_mod["NATIVE_MODULES"]
    digest: str = digest_mod["source_digest"](lambda f: (DEID / f).read_bytes())
    # Copies of the rule modules as app.deid._native.*, importing each other natively and
    # sharing the pure finding/lexicon modules (so Finding and the word lists are one).
    src = ROOT / "build" / "native-src"
    shutil.rmtree(src, ignore_errors=True)
    pkg = src / "app" / "deid"
    (pkg / "_native").mkdir(parents=True)
    (src / "app" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    for shared in ("finding.py", "lexicon.py"):
        shutil.copy(DEID / shared, pkg / shared)
    (pkg / "_native" / "__init__.py").write_text("")
    own = "|".join(modules)
    paths = []
    for name in modules:
        code = (DEID / f"{name}.py").read_text(encoding="utf-8")
        code = re.sub(rf"\bapp\.deid\.({own})\b", r"app.deid._native.\1", code)
        if name == "detector":
            code += f'\n\nNATIVE_DIGEST: Final = "{digest}"\n'
        out = pkg / "_native" / f"{name}.py"
        out.write_text(code, encoding="utf-8")
        paths.append(str(out.relative_to(ROOT)))
    cwd = os.getcwd()
    os.chdir(src)  # mypyc names modules by their path from here
    try:
        exts = mypycify(
            [str(Path(p).relative_to(src.relative_to(ROOT))) for p in paths],
            opt_level="3",
            group_name="consultory_deid",
        )
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error: go on without
        _say(f"skipped: mypyc could not compile the rules ({exc!r}); using pure Python")
        return []
    finally:
        os.chdir(cwd)
    for ext in exts:
        ext.optional = True  # a compiler failure falls back to pure Python
        ext.sources = [s if os.path.isabs(s) else str(src / s) for s in ext.sources]
        ext.include_dirs = [d if os.path.isabs(d) else str(src / d) for d in ext.include_dirs]
    _say(f"compiling {', '.join(modules)} (digest {digest})")
    return exts


setup(ext_modules=_native_extensions())
