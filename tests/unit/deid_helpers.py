"""Shorthands shared by the PHI-detector tests."""

from __future__ import annotations

from app.deid import find_phi


def found(text: str) -> dict[str, str]:
    """Map flagged text -> category."""
    return {f.text: f.category for f in find_phi(text)}


def flagged(text: str) -> set[str]:
    """Every word inside a finding."""
    return {w for f in find_phi(text) for w in f.text.split()}
