"""Offline detector for protected health information (HIPAA Safe Harbor identifiers).

Pure Python: no Qt, no network, no model downloads.  Usage::

    from app.deid import find_phi
    for f in find_phi(note):
        print(f.start, f.end, f.category, f.text, f.reason)
"""

from app.deid.detector import find_phi
from app.deid.finding import CATEGORIES, Category, Finding

__all__ = ["CATEGORIES", "Category", "Finding", "find_phi"]
