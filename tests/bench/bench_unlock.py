"""Benchmark: unlock time with the production argon2id parameters, and the per-connection
overhead of SQLCipher's raw key compared with plain SQLite.

    .venv/bin/python tests/bench/bench_unlock.py [--rounds 5] [--years 3]

Target: unlock (derive + unwrap + open + integrity/HMAC check + schema check) in about
0.3–0.6 s on the development machine; a new connection costs no key derivation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.pop("CONSULTORY_TEST_FAST_KDF", None)  # measure the real parameters


def _ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:7.1f} ms  "
        f"min {min(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--years", type=int, default=3, help="demo history to encrypt (size)")
    args = ap.parse_args()

    from app.demo import build_demo
    from app.paths import DB_FILENAME
    from app.services import security
    from app.store.crypto import DEFAULT_KDF, KeyHolder, cipher_connect, derive_passphrase_key
    from app.store.keyfile import KeyFile, keyfile_path

    passphrase = "benchmark passphrase four words"
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        build_demo(demo, years=args.years)
        real = Path(tmp) / "real"
        real.mkdir()
        shutil.copy2(demo / DB_FILENAME, real / DB_FILENAME)
        t0 = time.perf_counter()
        security.create_store(real, passphrase, passphrase).db.dispose()
        create_s = time.perf_counter() - t0
        size = (real / DB_FILENAME).stat().st_size

        kdf, unlocks, opens = [], [], []
        header = KeyFile.read(keyfile_path(real / DB_FILENAME))
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            derive_passphrase_key(passphrase, header.kdf_salt, header.kdf)
            kdf.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            db = security.unlock(real, passphrase)
            unlocks.append(time.perf_counter() - t0)
            db.dispose()
            key = header.unlock(passphrase)
            t0 = time.perf_counter()
            db = security.unlock_with_key(real, key)
            opens.append(time.perf_counter() - t0)
            db.dispose()

        key = header.unlock(passphrase)
        holder = KeyHolder(key)
        n = 200
        enc, plain = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            c = cipher_connect(real / DB_FILENAME, holder)
            c.execute("SELECT count(*) FROM member").fetchone()
            c.close()
            enc.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            c = sqlite3.connect(demo / DB_FILENAME)
            c.execute("SELECT count(*) FROM member").fetchone()
            c.close()
            plain.append(time.perf_counter() - t0)

        rounds = args.rounds
        print(f"database: {size / 1e6:.1f} MB ({args.years} demo years), rounds {rounds}")
        print(
            f"argon2id params: t={DEFAULT_KDF.time_cost} m={DEFAULT_KDF.memory_kib // 1024} MiB "
            f"p={DEFAULT_KDF.parallelism}"
        )
        print(f"encrypt existing database (create_store): {create_s * 1000:7.1f} ms")
        print(f"argon2id derivation only:                 {_ms(kdf)}")
        print(f"unlock with passphrase (full):            {_ms(unlocks)}")
        print(f"open with raw key (keyring / re-open):    {_ms(opens)}")
        print(f"new SQLCipher connection + 1 query:       {_ms(enc)}")
        print(f"new plain sqlite3 connection + 1 query:   {_ms(plain)}")
        overhead = (statistics.median(enc) - statistics.median(plain)) * 1000
        print(f"per-connection overhead of encryption:    {overhead:7.2f} ms")
        ok = 0.3 <= statistics.median(unlocks) <= 0.6
        print(f"unlock within 0.3–0.6 s target: {'yes' if ok else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
