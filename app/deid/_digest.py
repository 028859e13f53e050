"""Which sources the optional native build of the detector was compiled from.

The detector's three rule modules can be compiled to C with mypyc at install time (see
``setup.py``). The compiled copies live in ``app.deid._native`` and carry the digest of
the sources they were built from; :mod:`app.deid` uses them only while that digest still
matches the ``.py`` files next to them, so an edited rule can never be shadowed by a
stale binary. Standard library only: ``setup.py`` runs this file without importing the
package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

NATIVE_MODULES = ("patterns", "names", "detector")


def source_digest(read: Callable[[str], bytes]) -> str:
    """Digest of the rule modules; ``read(filename)`` returns a file's bytes."""
    h = hashlib.sha256()
    for name in NATIVE_MODULES:
        h.update(name.encode() + b"\0" + read(name + ".py") + b"\0")
    return h.hexdigest()[:20]
