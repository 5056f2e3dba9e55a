"""Cut a version's Markdown into provisions, each with its exact span in the version text.

The span is what makes a provision citable: a quote, a highlight or a link to "clause 3.2 of
the 4 May version" all resolve to ``markdown[start:end]``. Numbering and list markers are kept
apart in ``label`` so that renumbering does not look like a change of wording.

Input is OTA-style Markdown (ATX and setext headings, ``-``/``*``/``1.`` lists, tables, bold,
links), but plain text such as the CLAUDETTE corpus works too: when a document has no Markdown
headings at all, short standalone lines without final punctuation are taken as headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Segment", "clean_inline", "segment", "split_sentences"]


@dataclass(frozen=True)
class Segment:
    """One provision of one version; ``text == markdown[start:end]`` always holds."""

    ordinal: int
    start: int
    end: int
    text: str
    heading_path: tuple[str, ...] = ()
    kind: str = "paragraph"
    label: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "ordinal": self.ordinal,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "kind": self.kind,
            "heading_path": list(self.heading_path),
            "text": self.text,
        }


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE = re.compile(r"^ {0,3}\|")
_TABLE_SEP = re.compile(r"^[\s|:\-]+$")
_LIST = re.compile(r"^([ \t]*)([-*+•]|\d{1,3}[.)])[ \t]+(?=\S)")
_CLAUSE = re.compile(
    r"^([ \t]*)("
    r"(?:\d{1,3}(?:\\?\.\d{1,3})+\\?\.?|\d{1,3}\\\.)"  # 1.1  1.1.1.  2\.3  4\.
    r"|(?:\(\d{1,3}\)|\([a-z]\)|[a-z]\)|\((?:[ivx]{1,6})\)|(?:[ivx]{1,6})\))"  # (1) (a) a) (iv)
    r"|(?:(?:Article|Section|Clause|§)[ \t]+\d{1,3}(?:\.\d{1,3})*\.?)"
    r")[ \t]+(?=\S)"
)
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<t>[^*_\n]{1,160})\1:?$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_WORD = re.compile(r"\w+")

#: A paragraph is cut into sentence groups only when it is at least this long and holds at
#: least two sentences that each carry an obligation, a right or a permission.
SPLIT_MIN_WORDS = 60
_OBLIGATION = re.compile(
    r"\b(must|shall|may|will|agree|agrees|required|responsible|cannot|can't|won't|reserve|"
    r"reserves|waive|waives|entitled|prohibited|permitted|allowed|obliged|liable|grant|grants)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]*_]*\s+(?=[\"'“‘(\[*_]*[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|Inc|Ltd|Co|Corp|No|Nr|Mr|Mrs|Ms|Dr|St|U\.S|U\.K|E\.U|"
    r"approx|art|sec|para|cf|resp|incl|seq)|\b[A-Z])\.$"
)


def clean_inline(text: str) -> str:
    """Markdown inline syntax removed: what a reader sees, used for headings and comparison."""
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    return " ".join(text.split())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (relative offsets), not fooled by common abbreviations."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[begin : match.start()]
        if _ABBREV.search(head.rstrip("\"'”’)]*_")):
            continue
        spans.append((begin, match.start()))
        begin = match.end()
    if begin < len(text):
        spans.append((begin, len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


@dataclass
class _Block:
    start: int
    end: int
    kind: str
    label: str = ""


@dataclass
class _Heading:
    level: int
    text: str


def _lines(markdown: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for raw in markdown.splitlines(keepends=True):
        out.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def _item_start(line: str) -> tuple[str, str, int] | None:
    """(kind, label, content offset) when ``line`` opens a list item or a numbered clause."""
    clause = _CLAUSE.match(line)
    if clause:
        return "clause", clause.group(2).replace("\\", ""), clause.end()
    item = _LIST.match(line)
    if item:
        marker = item.group(2).replace("\\", "")
        return "list_item", "" if marker in "-*+•" else marker, item.end()
    return None


def _trimmed(markdown: str, start: int, end: int) -> tuple[int, int]:
    while start < end and markdown[start].isspace():
        start += 1
    while end > start and markdown[end - 1].isspace():
        end -= 1
    return start, end


def _has_markdown_headings(lines: list[tuple[int, str]]) -> bool:
    for index, (_, line) in enumerate(lines):
        if _ATX.match(line) and line.strip("# \t"):
            return True
        if (
            index > 0
            and lines[index - 1][1].strip()
            and _SETEXT.match(line)
            and not _LIST.match(lines[index - 1][1])
        ):
            return True
    return False


def _implicit_heading(text: str) -> bool:
    """A plain-text heading: short, alone, no sentence punctuation, starts like a title."""
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100:
        return False
    if text[-1] in ".:;,!?)" or ":" in text or not text[0].isalnum():
        return False
    return text[0].isupper() or text[0].isdigit()


def _blocks(markdown: str) -> Iterator[_Block | _Heading]:
    lines = _lines(markdown)
    plain = not _has_markdown_headings(lines)
    n = len(lines)
    i = 0
    while i < n:
        pos, line = lines[i]
        if not line.strip():
            i += 1
            continue
        atx = _ATX.match(line)
        if atx:
            yield _Heading(len(atx.group(1)), clean_inline(atx.group(2) or ""))
            i += 1
            continue
        underlined = i + 1 < n and _SETEXT.match(lines[i + 1][1])
        if underlined and not (_BREAK.match(line) or _LIST.match(line) or _TABLE.match(line)):
            level = 1 if lines[i + 1][1].strip().startswith("=") else 2
            yield _Heading(level, clean_inline(line))
            i += 2
            continue
        if _BREAK.match(line):
            i += 1
            continue
        if _TABLE.match(line):
            body = line.strip()
            if not _TABLE_SEP.match(body) and any(c.isalnum() for c in body):
                start, end = _trimmed(markdown, pos, pos + len(line))
                yield _Block(start, end, "table")
            i += 1
            continue
        opened = _item_start(line)
        if opened is None and plain and line[:1] in " \t" and i > 0 and lines[i - 1][1].strip():
            opened = ("list_item", "", len(line) - len(line.lstrip()))
        if opened:
            kind, label, offset = opened
            start = pos + offset
        else:
            kind, label, start = "paragraph", "", pos
        j = i + 1
        while j < n:
            _, nxt = lines[j]
            if not nxt.strip() or _ATX.match(nxt) or _TABLE.match(nxt) or _BREAK.match(nxt):
                break
            if _item_start(nxt) or (plain and nxt[:1] in " \t"):
                break
            if j + 1 < n and _SETEXT.match(lines[j + 1][1]):
                break
            j += 1
        last_pos, last_line = lines[j - 1]
        start, end = _trimmed(markdown, start, last_pos + len(last_line))
        i = j
        if start >= end:
            continue
        text = markdown[start:end]
        if kind == "paragraph":
            bold = _BOLD_LINE.match(text)
            if bold and len(bold.group("t").split()) <= 15 and not text.rstrip(":*_").endswith("."):
                yield _Heading(7, clean_inline(bold.group("t")))
                continue
        if plain and "\n" not in text and _implicit_heading(text) and not line[:1].isspace():
            following = lines[j][1] if j < n else ""
            if j + 1 < n and not following.strip() and lines[j + 1][1].strip():
                yield _Heading(7, clean_inline(f"{label} {text}" if label else text))
                continue
        yield _Block(start, end, kind, label)


def _sentence_groups(markdown: str, block: _Block) -> list[tuple[int, int]]:
    """Split a long block at sentence boundaries so that each part holds one obligation."""
    text = markdown[block.start : block.end]
    if len(_WORD.findall(text)) < SPLIT_MIN_WORDS:
        return [(block.start, block.end)]
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return [(block.start, block.end)]
    carries = [bool(_OBLIGATION.search(text[s:e])) for s, e in sentences]
    if sum(carries) < 2:
        return [(block.start, block.end)]
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    current_has = False
    for span, has in zip(sentences, carries, strict=True):
        if has and current_has:
            groups.append(current)
            current, current_has = [], False
        current.append(span)
        current_has = current_has or has
    groups.append(current)
    return [(block.start + g[0][0], block.start + g[-1][1]) for g in groups]


def segment(markdown: str) -> list[Segment]:
    """The provisions of ``markdown`` in reading order, with their heading paths.

    Headings are not provisions; they become the ``heading_path`` of what follows them.
    """
    headings: list[_Heading] = []
    out: list[Segment] = []
    for block in _blocks(markdown):
        if isinstance(block, _Heading):
            while headings and headings[-1].level >= block.level:
                headings.pop()
            if block.text:
                headings.append(block)
            continue
        if not any(c.isalnum() for c in clean_inline(markdown[block.start : block.end])):
            continue  # rules, separators and image-only lines say nothing
        path = tuple(h.text for h in headings)
        parts = _sentence_groups(markdown, block) if block.kind != "table" else []
        if len(parts) <= 1:
            parts = [(block.start, block.end)]
            kinds = [block.kind]
        else:
            kinds = ["sentence_group"] * len(parts)
        for index, ((start, end), kind) in enumerate(zip(parts, kinds, strict=True)):
            out.append(
                Segment(
                    ordinal=len(out),
                    start=start,
                    end=end,
                    text=markdown[start:end],
                    heading_path=path,
                    kind=kind,
                    label=block.label if index == 0 else "",
                )
            )
    return out
