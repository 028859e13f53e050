"""Offline detector for protected health information (HIPAA Safe Harbor identifiers).

Pure Python: no Qt, no network, no model downloads.  Usage::

    from app.deid import find_phi
    for f in find_phi(note):
        print(f.start, f.end, f.category, f.text, f.reason)

The word lists load lazily on the first call (~0.2 s); call :func:`warm_up` from a
background thread at start-up to keep the first keystroke fast.
"""

from app.deid.detector import find_phi, warm_up
from app.deid.finding import CATEGORIES, Category, Finding

__all__ = ["CATEGORIES", "Category", "Finding", "find_phi", "warm_up"]
