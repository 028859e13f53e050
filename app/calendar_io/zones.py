"""Turning the TZIDs real calendars write into IANA zones.

In order, for one TZID:

1. an IANA name (legacy links such as ``US/Central`` and ``Europe/Kiev`` included);
2. a vendor-prefixed IANA name (``/mozilla.org/20070129_1/Europe/Berlin``,
   ``/softwarestudio.org/Tzfile/America/Chicago``) or a VTIMEZONE's ``X-LIC-LOCATION``;
3. a Windows zone name (``Eastern Standard Time``) through CLDR's windowsZones table;
4. an Outlook display name (``(UTC-05:00) Eastern Time (US & Canada)``,
   ``(GMT+10:00) Canberra, Melbourne, Sydney``): a city or region in the label, checked
   against the UTC offset in its prefix;
5. the file's VTIMEZONE for that TZID (``Customized Time Zone``, ``custom_…``): the IANA
   zone whose offsets agree with it over the years the events use, preferring each
   region's main zone;
6. the last path component as a city (``Germany/Berlin``);

and otherwise the calendar's X-WR-TIMEZONE or the importer's default zone, with a note.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from app.calendar_io.reader import Component
from app.calendar_io.windows_zones import WINDOWS_TO_IANA
from app.services.practice import is_valid_timezone

OFFSET_RE = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2}):?(\d{2}))?\s*\)\s*(.*)$", re.I)

# Outlook display labels that name a region rather than a city
REGION_LABELS: tuple[tuple[str, str], ...] = (
    ("eastern time", "America/New_York"),
    ("central time", "America/Chicago"),
    ("mountain time", "America/Denver"),
    ("pacific time", "America/Los_Angeles"),
    ("atlantic time", "America/Halifax"),
    ("alaska", "America/Anchorage"),
    ("hawaii", "Pacific/Honolulu"),
    ("arizona", "America/Phoenix"),
    ("saskatchewan", "America/Regina"),
    ("newfoundland", "America/St_Johns"),
    ("indiana (east)", "America/Indiana/Indianapolis"),
    ("central america", "America/Guatemala"),
    ("coordinated universal time", "UTC"),
    ("greenwich mean time", "Europe/London"),
    ("dublin, edinburgh, lisbon, london", "Europe/London"),
    ("brisbane", "Australia/Brisbane"),
    ("new delhi", "Asia/Kolkata"),
    ("kolkata", "Asia/Kolkata"),
    ("beijing", "Asia/Shanghai"),
    ("osaka, sapporo, tokyo", "Asia/Tokyo"),
    ("wellington", "Pacific/Auckland"),
    ("prague", "Europe/Prague"),
)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    names = sorted(
        n
        for n in available_timezones()
        if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
    return tuple(names)


# When several zones share the same offsets, name the one most people know.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "UTC",
)


@lru_cache(maxsize=1)
def _preferred() -> tuple[str, ...]:
    """Well-known zones first, then the main zone of each Windows region, then the rest."""
    main = list(
        dict.fromkeys(v for v in (*COMMON_ZONES, *WINDOWS_TO_IANA.values()) if is_valid_timezone(v))
    )
    rest = [n for n in _zone_names() if n not in set(main)]
    return tuple(main + rest)


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """Lower-case city name ("new york", "sydney") -> IANA zone."""
    out: dict[str, str] = {}
    for name in reversed(_preferred()):  # preferred zones win on a clash
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        out[city] = name
    return out


def _valid(name: str) -> str | None:
    name = name.strip().strip('"').strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    return name if is_valid_timezone(name) else None


def _from_prefixed(tzid: str) -> str | None:
    parts = [p for p in tzid.strip().split("/") if p]
    for i in range(1, len(parts)):
        cand = _valid("/".join(parts[i:]))
        if cand is not None and "/" in cand:
            return cand
    return None


def _windows(tzid: str) -> str | None:
    key = tzid.strip().strip('"').strip().lower()
    for win, iana in WINDOWS_TO_IANA.items():
        if win.lower() == key:
            return iana
    return None


def _offset_ok(name: str, offset: timedelta | None) -> bool:
    if offset is None:
        return True
    z = ZoneInfo(name)
    return any(
        datetime(2021, m, 15, 12, tzinfo=UTC).astimezone(z).utcoffset() == offset for m in (1, 7)
    )


def _display_name(tzid: str) -> str | None:
    m = OFFSET_RE.match(tzid.strip().strip('"'))
    if not m:
        return None
    sign, hh, mm, label = m.groups()
    offset: timedelta | None = None
    if hh is not None:
        offset = timedelta(hours=int(hh), minutes=int(mm))
        if sign == "-":
            offset = -offset
    else:
        offset = timedelta(0)
    text = label.lower().replace("&", "and").replace(" and ", ", ")
    text = re.sub(r"\s+", " ", text).strip()
    for phrase, iana in REGION_LABELS:
        if text.replace(" and ", ", ").startswith(phrase.replace(" and ", ", ")) and _offset_ok(
            iana, offset
        ):
            return iana
    cities = _cities()
    for token in re.split(r"[,/]| - ", text):
        token = re.sub(r"\(.*?\)", "", token).strip()
        cand = cities.get(token)
        if cand is not None and _offset_ok(cand, offset):
            return cand
    if offset is not None and offset.seconds % 3600 == 0:
        hours = int(offset.total_seconds() // 3600)
        if hours == 0:
            return "UTC"
        # Etc/GMT signs are inverted (POSIX): UTC-05:00 is Etc/GMT+5
        return f"Etc/GMT{'+' if hours < 0 else '-'}{abs(hours)}"
    return None


def _by_city(tzid: str) -> str | None:
    last = tzid.strip().strip('"').rsplit("/", 1)[-1].replace("_", " ").lower()
    return _cities().get(last)


def _by_city_tokens(label: str) -> str | None:
    cities = _cities()
    for token in re.split(r"[,/]| - | and | & ", label.lower()):
        cand = cities.get(re.sub(r"\(.*?\)", "", token).strip())
        if cand is not None:
            return cand
    return None


def _vtimezone_tz(comp: Component) -> tzinfo | None:
    from icalendar import Timezone

    lines = [f"BEGIN:{comp.name}"]
    lines += _lines(comp)
    lines.append(f"END:{comp.name}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tz: tzinfo = Timezone.from_ical("\r\n".join(lines)).to_tz()  # type: ignore[attr-defined]
            datetime(2020, 1, 1, tzinfo=tz).utcoffset()
        return tz
    except Exception:  # noqa: BLE001 - any failure means "cannot use this VTIMEZONE"
        return None


def _lines(comp: Component) -> list[str]:
    out = []
    for p in comp.props:
        params = "".join(f";{k}={_quote(v)}" for k, v in p.params.items())
        out.append(f"{p.name}{params}:{p.value}")
    for c in comp.children:
        out.append(f"BEGIN:{c.name}")
        out += _lines(c)
        out.append(f"END:{c.name}")
    return out


def _quote(v: str) -> str:
    return f'"{v}"' if any(ch in v for ch in ",;:") else v


def _samples(years: tuple[int, int]) -> list[datetime]:
    lo, hi = years
    out = []
    for y in range(max(1900, lo), min(2100, hi) + 1):
        for m in range(1, 13):
            for d in (1, 15):
                out.append(datetime(y, m, d, 12, tzinfo=UTC))
    return out


def _offsets(tz: tzinfo, instants: list[datetime]) -> list[timedelta | None]:
    return [i.astimezone(tz).utcoffset() for i in instants]


def _transitions(tz: tzinfo, years: tuple[int, int]) -> list[datetime]:
    """Instants (to the hour, UTC) at which ``tz`` changes its offset: a weekly scan, then
    bisection inside the week (a VTIMEZONE is slow to evaluate, so few probes)."""
    lo, hi = max(1900, years[0]), min(2100, years[1])
    t = datetime(lo, 1, 1, tzinfo=UTC)
    end = datetime(hi, 12, 31, tzinfo=UTC)
    step = timedelta(days=7)
    out = []
    prev = t.astimezone(tz).utcoffset()
    while t < end:
        nxt = t + step
        off = nxt.astimezone(tz).utcoffset()
        if off != prev:
            a, b = t, nxt  # offset(a) == prev, offset(b) == off
            while b - a > timedelta(hours=1):
                mid = a + (b - a) / 2
                mid = mid.replace(minute=0, second=0, microsecond=0)
                if mid <= a:
                    mid = a + timedelta(hours=1)
                if mid.astimezone(tz).utcoffset() == prev:
                    a = mid
                else:
                    b = mid
            out.append(b)
        prev = off
        t = nxt
    return out


def _match_vtimezone(tz: tzinfo, years: tuple[int, int]) -> str | None:
    """The preferred IANA zone with the same offsets as ``tz`` at noon on the 1st and
    15th of every month and hour by hour around each of ``tz``'s transitions; failing
    that, one that agrees on at least nine samples in ten (old rules for the same place,
    e.g. an Outlook 2003 VTIMEZONE); for a zone without DST, a fixed ``Etc/GMT`` zone."""
    samples = _samples(years)
    want = _offsets(tz, samples)
    fine = [t + timedelta(hours=h) for t in _transitions(tz, years) for h in (-1, 0, 1)]
    want_fine = _offsets(tz, fine)
    best: tuple[float, str] | None = None
    for name in _preferred():
        z = ZoneInfo(name)
        got = _offsets(z, samples)
        score = sum(1 for a, b in zip(got, want, strict=True) if a == b) / max(1, len(samples))
        if score == 1.0 and _offsets(z, fine) == want_fine:
            return name
        if score >= 0.9 and (best is None or score > best[0]):
            best = (score, name)
    if len(set(want)) == 1 and want[0] is not None:
        secs = int(want[0].total_seconds())
        if secs % 3600 == 0:
            h = secs // 3600
            return "UTC" if h == 0 else f"Etc/GMT{'+' if h < 0 else '-'}{abs(h)}"
    return best[1] if best is not None else None


class ZoneResolver:
    """Resolves one calendar's TZIDs (cached per TZID)."""

    def __init__(
        self,
        vtimezones: dict[str, Component],
        fallback_zone: str,
        years: tuple[int, int] = (2020, 2026),
    ) -> None:
        self.vtimezones = vtimezones
        self.fallback_zone = fallback_zone
        self.years = years
        self.notes: list[str] = []
        self._cache: dict[str, str] = {}

    def resolve(self, tzid: str) -> str:
        key = tzid.strip()
        if key not in self._cache:
            found = self._resolve(key)
            if found is None:
                found = self.fallback_zone
                self.notes.append(
                    f"The time zone “{key[:60]}” is unknown; its times were read in "
                    f"{self.fallback_zone}."
                )
            self._cache[key] = found
        return self._cache[key]

    def known(self, tzid: str) -> str | None:
        return self._resolve(tzid.strip())

    def _resolve(self, tzid: str) -> str | None:
        bare = tzid.strip('"').strip()
        found = _valid(bare) or _from_prefixed(bare)
        if found:
            return found
        vt = self.vtimezones.get(bare)
        if vt is not None:
            loc = vt.get("X-LIC-LOCATION")
            if loc is not None and _valid(loc.value):
                return _valid(loc.value)
        found = _windows(bare) or _display_name(bare)
        if found:
            return found
        if vt is not None:
            tz = _vtimezone_tz(vt)
            if tz is not None:
                found = _match_vtimezone(tz, self.years)
                if found:
                    return found
        last = bare.rstrip("/").rsplit("/", 1)[-1]
        return _valid(last) or _by_city(bare) or _by_city_tokens(bare)
