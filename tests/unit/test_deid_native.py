"""The optional native (mypyc) build of the detector gives exactly the pure-Python results.

``.ci/run`` installs a C compiler and the Python headers and sets
``CONSULTORY_REQUIRE_NATIVE=1``, so in CI the native build must exist and is compared with
the pure-Python rules on every note of the development corpus, the blind batches and an
ALL-CAPS copy of each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import app.deid as deid
from app.deid import detector as pure
from app.deid import finding

CORPUS = Path(__file__).resolve().parents[1] / "deid_corpus" / "corpus.jsonl"


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text("utf-8").splitlines() if line]
    for p in sorted(CORPUS.parent.glob("handwritten_*.txt")):
        texts.append(p.read_text("utf-8").replace("[[", "").replace("]]", ""))
    return texts + [t.upper() for t in texts[::7]]


def _key(found: list[finding.Finding]) -> list[tuple[int, int, str, str]]:
    return [(f.start, f.end, f.category, f.reason) for f in found]


def test_native_build_present_when_required() -> None:
    if os.environ.get("CONSULTORY_REQUIRE_NATIVE") != "1":
        pytest.skip("native build not required here (set CONSULTORY_REQUIRE_NATIVE=1)")
    assert deid.IMPLEMENTATION == "native (mypyc)"


def test_native_and_pure_detectors_agree_on_every_note() -> None:
    if deid.IMPLEMENTATION != "native (mypyc)":
        pytest.skip("no native build in this environment")
    texts = _texts()
    assert len(texts) > 900
    for text in texts:
        assert _key(deid.find_phi(text)) == _key(pure.find_phi(text)), text[:80]


def test_stale_native_build_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """A binary built from other sources is never used (its digest no longer matches)."""
    import app.deid._digest as digest

    monkeypatch.setattr(digest, "source_digest", lambda read: "edited-since-the-build")
    monkeypatch.setattr(deid, "source_digest", digest.source_digest)
    assert deid._load_native() is None
