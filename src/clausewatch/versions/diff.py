"""Word-level differences between two versions of a document, as data, text, Markdown or HTML.

Lines are aligned first and words only inside the lines that changed: the usual edit touches a
few paragraphs of a long text, and difflib on whole documents of words is slow and drifts on
frequent words. Whitespace never counts as a change (versions are normalised), but every word
and punctuation mark does.

Renderings:

* ``to_text()``: wdiff style, ``[-removed-]{+added+}``;
* ``to_markdown()``: ``~~removed~~`` then ``**added**``, each line of a change wrapped on its
  own so paragraphs and lists survive;
* ``to_html()``: ``<del>``/``<ins>`` in a ``<div class="document-diff">`` whose whitespace is
  kept (``white-space: pre-wrap``), every piece of text HTML-escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

Op = Literal["equal", "insert", "delete", "replace"]

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_WORD = re.compile(r"\w")
_LEAD = re.compile(r"^\s*")
_TRAIL = re.compile(r"\s*$")


@dataclass(frozen=True)
class Segment:
    """A run of the document: unchanged (``old == new`` up to whitespace), or changed."""

    op: Op
    old: str
    new: str


@dataclass(frozen=True)
class DiffCounts:
    words_added: int = 0
    words_removed: int = 0
    words_changed: int = 0
    blocks: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "words_changed": self.words_changed,
            "blocks": self.blocks,
        }


@dataclass(frozen=True)
class DocumentDiff:
    segments: tuple[Segment, ...]
    counts: DiffCounts = field(default_factory=DiffCounts)

    @property
    def changed(self) -> bool:
        return self.counts.blocks > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts.to_json(),
            "segments": [{"op": s.op, "old": s.old, "new": s.new} for s in self.segments],
        }

    def to_text(self) -> str:
        return self._render(lambda t: _wrap(t, "[-", "-]"), lambda t: _wrap(t, "{+", "+}"), str)

    def to_markdown(self) -> str:
        return self._render(lambda t: _wrap(t, "~~", "~~"), lambda t: _wrap(t, "**", "**"), str)

    def to_html(self) -> str:
        def tag(name: str) -> Any:
            return lambda t: f"<{name}>{html.escape(t)}</{name}>" if t else ""

        body = self._render(tag("del"), tag("ins"), html.escape)
        return f'<div class="document-diff" style="white-space: pre-wrap">{body}</div>'

    def _render(self, removed: Any, added: Any, plain: Any) -> str:
        out: list[str] = []
        for seg in self.segments:
            if seg.op == "equal":
                out.append(plain(seg.new))
                continue
            source = seg.new if seg.op == "insert" else seg.old
            lead = _LEAD.match(source)
            ws = lead.group(0) if lead else ""
            out.append(plain(ws))
            if seg.op in ("delete", "replace"):
                out.append(removed(seg.old[len(_LEAD.match(seg.old).group(0)) :]))  # type: ignore[union-attr]
            if seg.op in ("insert", "replace"):
                new_lead = len(_LEAD.match(seg.new).group(0))  # type: ignore[union-attr]
                if seg.op == "replace" and "\n" in seg.new[:new_lead]:
                    out.append(plain(seg.new[:new_lead]))
                out.append(added(seg.new[new_lead:]))
        return "".join(out)


def _wrap(text: str, opening: str, closing: str) -> str:
    """Mark each line of a change on its own, keeping the whitespace around it outside."""
    parts = []
    for line in text.split("\n"):
        core = line.strip()
        if not core:
            parts.append(line)
            continue
        start = line.index(core)
        parts.append(f"{line[:start]}{opening}{core}{closing}{line[start + len(core) :]}")
    return "\n".join(parts)


def _tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    keys: list[str] = []
    pieces: list[tuple[int, int]] = []
    last = 0
    for match in _TOKEN.finditer(text):
        keys.append(match.group(0))
        pieces.append((last, match.end()))
        last = match.end()
    return keys, pieces


def _count_words(keys: list[str]) -> int:
    return sum(1 for k in keys if _WORD.match(k))


class _Builder:
    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.added = self.removed = self.changed = 0

    def add(self, op: Op, old: str, new: str) -> None:
        if not old and not new:
            return
        if self.segments and self.segments[-1].op == op:
            last = self.segments.pop()
            old, new = last.old + old, last.new + new
        elif op != "equal" and self.segments and self.segments[-1].op != "equal":
            last = self.segments.pop()
            old, new, op = last.old + old, last.new + new, "replace"
        self.segments.append(Segment(op, old, new))

    def words(self, old: str, new: str) -> None:
        """Diff two changed stretches of text word by word."""
        a_keys, a_pieces = _tokens(old)
        b_keys, b_pieces = _tokens(new)

        def a_text(i1: int, i2: int) -> str:
            return old[a_pieces[i1][0] : a_pieces[i2 - 1][1]] if i2 > i1 else ""

        def b_text(j1: int, j2: int) -> str:
            return new[b_pieces[j1][0] : b_pieces[j2 - 1][1]] if j2 > j1 else ""

        matcher = SequenceMatcher(None, a_keys, b_keys, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            self.add(op, a_text(i1, i2), b_text(j1, j2))
            a_words, b_words = _count_words(a_keys[i1:i2]), _count_words(b_keys[j1:j2])
            if op == "insert":
                self.added += b_words
            elif op == "delete":
                self.removed += a_words
            elif op == "replace":
                self.changed += min(a_words, b_words)
                self.added += max(0, b_words - a_words)
                self.removed += max(0, a_words - b_words)
        a_end = a_pieces[-1][1] if a_pieces else 0
        b_end = b_pieces[-1][1] if b_pieces else 0
        self.add("equal", old[a_end:], new[b_end:])


def diff_texts(old: str, new: str) -> DocumentDiff:
    """Every word and punctuation mark added, removed or replaced between two texts."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    builder = _Builder()
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            builder.add("equal", a, b)
        else:
            builder.words(a, b)
    blocks = sum(1 for s in builder.segments if s.op != "equal")
    counts = DiffCounts(builder.added, builder.removed, builder.changed, blocks)
    return DocumentDiff(tuple(builder.segments), counts)
