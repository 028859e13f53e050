"""Reading iCalendar text: decoding, unfolding, content lines and the component tree.

Written against RFC 5545 but tolerant of what real exporters write: CRLF or LF, lines
folded with a space *or a TAB*, UTF-8 with or without BOM, UTF-16 (Windows Calendar),
quoted parameter values with ``:``/``;``/``,`` inside, and raw line breaks inside text
(joined to the property before them, with a problem noted). A file that is not an
iCalendar object at all, or is cut off, is refused with :class:`IcsError` naming the
problem and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.errors import ConsultoryError

NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
# properties whose values may legitimately run over raw (unfolded) line breaks in broken
# exports: the text is kept by joining the stray lines to them
TEXT_PROPS = frozenset({"DESCRIPTION", "SUMMARY", "LOCATION", "COMMENT", "X-ALT-DESC"})
MAX_BYTES = 20 * 1024 * 1024


class IcsError(ConsultoryError):
    """The file cannot be read as iCalendar. The message names the problem."""


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str
    line: int

    def param(self, key: str) -> str | None:
        return self.params.get(key.upper())


@dataclass
class Component:
    name: str
    line: int
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Prop | None:
        name = name.upper()
        for p in self.props:
            if p.name == name:
                return p
        return None

    def all(self, name: str) -> list[Prop]:
        name = name.upper()
        return [p for p in self.props if p.name == name]

    def text(self, name: str) -> str:
        p = self.get(name)
        return unescape_text(p.value) if p is not None else ""

    def walk(self, name: str) -> Iterator[Component]:
        for c in self.children:
            if c.name == name:
                yield c
            yield from c.walk(name)


def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes to text: BOMs (UTF-8, UTF-16, UTF-32) are honoured, BOM-less UTF-16 is
    recognised by its NUL bytes, and non-UTF-8 text is read as Windows-1252 with a note."""
    notes: list[str] = []
    if len(data) > MAX_BYTES:
        raise IcsError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    boms = (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), notes
            except UnicodeDecodeError:
                raise IcsError(f"The file says it is {enc.upper()} but is not.") from None
    head = data[:200]
    if head and head.count(b"\x00") * 3 > len(head):
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        try:
            return data.decode(enc), notes
        except UnicodeDecodeError:
            raise IcsError("The file looks like UTF-16 text but cannot be decoded.") from None
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    try:
        # folding may split a multi-byte character: unfold the bytes, then decode
        return re.sub(rb"\r?\n[ \t]", b"", data).decode("utf-8"), notes
    except UnicodeDecodeError:
        notes.append("The file is not UTF-8; it was read as Windows-1252 text.")
        return data.decode("cp1252", errors="replace"), notes


def unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with their (first physical) line numbers."""
    out: list[tuple[int, str]] = []
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if raw[:1] in (" ", "\t") and out:
            ln, prev = out[-1]
            out[-1] = (ln, prev + raw[1:])
        elif raw.strip():
            out.append((n, raw))
    return out


def parse_content_line(line: str) -> tuple[str, dict[str, str], str]:
    """``NAME;P1=a;P2="b:c":value`` -> (NAME, {P1: a, P2: b:c}, value). Raises ValueError."""
    i = 0
    n = len(line)
    while i < n and line[i] not in ";:":
        i += 1
    name = line[:i].strip()
    if not name or not NAME_RE.match(name):
        raise ValueError("not a content line")
    params: dict[str, str] = {}
    while i < n and line[i] == ";":
        i += 1
        j = i
        while j < n and line[j] not in "=;:":
            j += 1
        key = line[i:j].strip().upper()
        if not key or not NAME_RE.match(key):
            raise ValueError("an empty or invalid parameter name")
        if j >= n or line[j] != "=":
            raise ValueError(f"parameter {key} has no value")
        i = j + 1
        values: list[str] = []
        while True:
            if i < n and line[i] == '"':
                end = line.find('"', i + 1)
                if end < 0:
                    raise ValueError(f"parameter {key} has an unclosed quote")
                values.append(line[i + 1 : end])
                i = end + 1
            else:
                j = i
                while j < n and line[j] not in ",;:":
                    j += 1
                # tolerate an unquoted URI value such as TZID=tzone://Microsoft/Utc
                while j < n and line.startswith("://", j):
                    j += 3
                    while j < n and line[j] not in ",;:":
                        j += 1
                values.append(line[i:j])
                i = j
            if i < n and line[i] == ",":
                i += 1
                continue
            break
        params[key] = ",".join(values)
    if i >= n or line[i] != ":":
        raise ValueError("the value is missing (no ':' after the name and parameters)")
    return name.upper(), params, line[i + 1 :]


def parse(data: bytes | str) -> tuple[Component, list[str]]:
    """The VCALENDAR tree (several calendars in one file are merged) and problems found
    on the way. Raises IcsError for files that are not iCalendar or are cut off."""
    problems: list[str] = []
    if isinstance(data, bytes):
        text, notes = decode(data)
        problems += notes
    else:
        text = data
    text = text.lstrip("\ufeff")
    lines = unfold(text)
    if not lines:
        raise IcsError("The file is empty.")
    first_ln, first = lines[0]
    if first.strip().upper() != "BEGIN:VCALENDAR":
        raise IcsError(
            "This is not an iCalendar file: it must start with BEGIN:VCALENDAR "
            f"(line {first_ln} starts with “{first[:20]}”)."
        )
    root = Component("ROOT", 0)
    stack: list[Component] = [root]
    last_prop: Prop | None = None
    for ln, line in lines:
        try:
            name, params, value = parse_content_line(line)
        except ValueError as exc:
            looks_like_prop = re.match(r"^[A-Za-z0-9-]+[;:]", line) is not None
            if (
                not looks_like_prop
                and last_prop is not None
                and last_prop.name in TEXT_PROPS
                and len(stack) > 1
            ):
                last_prop.value += "\\n" + line
                problems.append(
                    f"Line {ln} is not a content line (a raw line break in text); "
                    "it was joined to the text before it."
                )
            else:
                problems.append(f"Line {ln} was ignored: {exc}.")
            continue
        if name == "BEGIN":
            comp = Component(value.strip().upper(), ln)
            if len(stack) == 1 and comp.name != "VCALENDAR":
                raise IcsError(
                    f"Line {ln}: BEGIN:{comp.name} is outside BEGIN:VCALENDAR … END:VCALENDAR."
                )
            stack[-1].children.append(comp)
            stack.append(comp)
            last_prop = None
        elif name == "END":
            what = value.strip().upper()
            if len(stack) == 1:
                raise IcsError(f"Line {ln}: END:{what} has no matching BEGIN.")
            if stack[-1].name != what:
                if any(c.name == what for c in stack[1:]):
                    # close the components that were left open (lenient), noting it
                    while stack[-1].name != what:
                        problems.append(
                            f"BEGIN:{stack[-1].name} on line {stack[-1].line} was never closed."
                        )
                        stack.pop()
                else:
                    raise IcsError(
                        f"Line {ln}: END:{what} does not close BEGIN:{stack[-1].name} "
                        f"(line {stack[-1].line})."
                    )
            stack.pop()
            last_prop = None
        else:
            if len(stack) == 1:
                raise IcsError(f"Line {ln} ({name}) is outside BEGIN:VCALENDAR … END:VCALENDAR.")
            last_prop = Prop(name, params, value, ln)
            stack[-1].props.append(last_prop)
    if len(stack) > 1:
        open_comp = stack[1]
        raise IcsError(
            f"The file is cut off: BEGIN:{open_comp.name} on line {open_comp.line} is never "
            f"closed (END:{open_comp.name} is missing)."
        )
    cal = Component("VCALENDAR", root.children[0].line)
    for c in root.children:
        cal.props += c.props
        cal.children += c.children
    return cal, problems


def unescape_text(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )
