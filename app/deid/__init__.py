"""Offline detector for protected health information (HIPAA Safe Harbor identifiers).

Pure Python: no Qt, no network, no model downloads.  Usage::

    from app.deid import find_phi
    for f in find_phi(note):
        print(f.start, f.end, f.category, f.text, f.reason)

The word lists load lazily on the first call (~0.2 s); call :func:`warm_up` from a
background thread at start-up to keep the first keystroke fast.

When the package was installed with a C compiler available, ``setup.py`` also compiled
the rule modules with mypyc into :mod:`app.deid._native`; those copies are used (about
1.5x faster, identical results) only while they were built from exactly the current
sources. :data:`IMPLEMENTATION` says which one runs; ``CONSULTORY_PURE_DEID=1`` forces
pure Python.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from typing import Any

from app.deid import detector as _pure
from app.deid._digest import source_digest
from app.deid.finding import CATEGORIES, Category, Finding


def _load_native() -> Any:
    if os.environ.get("CONSULTORY_PURE_DEID") == "1":
        return None
    try:
        from app.deid._native import detector as native  # type: ignore[attr-defined]
    except ImportError:
        return None
    here = resources.files("app.deid")
    if getattr(native, "NATIVE_DIGEST", None) != source_digest(
        lambda f: here.joinpath(f).read_bytes()
    ):
        return None  # built from other sources: never let a stale binary decide
    return native


_native = _load_native()
IMPLEMENTATION: str = "native (mypyc)" if _native is not None else "pure Python"
find_phi: Callable[[str], list[Finding]] = (
    _native.find_phi if _native is not None else _pure.find_phi
)
warm_up: Callable[[], None] = _native.warm_up if _native is not None else _pure.warm_up

__all__ = ["CATEGORIES", "IMPLEMENTATION", "Category", "Finding", "find_phi", "warm_up"]
