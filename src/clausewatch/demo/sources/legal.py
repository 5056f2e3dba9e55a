"""The ``.legal`` source format: one text file holds every revision of a document.

Format (one ``<platform>/<document>.legal`` per document)::

    @title Terms of Service
    @updated 2025-01-14 | 2025-01-14 | 2025-06-30 | 2026-02-09   (the "Last updated" shown)
    %  a comment
    ## Section title                 numbered h2 ("3. Section title")
    ### Sub-section                  numbered h3 ("3.2 Sub-section")
    ## [3+] New section              only in revisions 3 and later (the whole section)
    ## (nonum 2+) Definitions        not numbered from revision 2 on
    [1-2] A paragraph                only in revisions 1 and 2
    - a list item / + an ordered list item
    text {{old words||3:new words||4:newest}} text    inline variants by revision
    **bold** and [a link](/path)
"""

from __future__ import annotations

import hashlib
import html
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

RANGE = re.compile(r"^\[(\d+)(\+|-(\d+))?\]\s*")
NONUM = re.compile(r"^\(nonum (\d+)\+\)\s*")
VARIANT = re.compile(r"\{\{(.*?)\}\}", re.S)
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def in_range(match: re.Match[str] | None, rev: int) -> bool:
    if match is None:
        return True
    low = int(match.group(1))
    if match.group(2) == "+":
        return rev >= low
    high = int(match.group(3)) if match.group(3) else low
    return low <= rev <= high


def resolve_variants(text: str, rev: int) -> str:
    def pick(m: re.Match[str]) -> str:
        parts = m.group(1).split("||")
        chosen = parts[0]
        for part in parts[1:]:
            at, _, value = part.partition(":")
            if rev >= int(at):
                chosen = value
        return chosen

    return VARIANT.sub(pick, text)


@dataclass
class Block:
    kind: str  # h2, h3, p, ul, ol
    text: str = ""
    items: list[str] | None = None
    numbered: bool = True


@dataclass
class LegalSource:
    title: str
    updated: list[str]
    blocks_by_rev: dict[int, list[Block]]


def parse_source(path: Path, revisions: int) -> LegalSource:
    title = ""
    updated: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks_by_rev: dict[int, list[Block]] = {}
    for rev in range(1, revisions + 1):
        blocks: list[Block] = []
        skip_level = 0
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("%"):
                continue
            if line.startswith("@title "):
                title = line[7:].strip()
                continue
            if line.startswith("@updated "):
                updated = [part.strip() for part in line[9:].split("|")]
                continue
            level = len(line) - len(line.lstrip("#")) if line.startswith("##") else 0
            if level:
                body = line[level:].strip()
                present = in_range(RANGE.match(body), rev)
                body = RANGE.sub("", body, count=1)
                if skip_level and level > skip_level:
                    continue
                skip_level = 0 if present else level
                if not present:
                    continue
                nonum = NONUM.match(body)
                numbered = not (nonum and rev >= int(nonum.group(1)))
                body = NONUM.sub("", body, count=1)
                blocks.append(Block(f"h{level}", resolve_variants(body, rev), numbered=numbered))
                continue
            if skip_level:
                continue
            marker = RANGE.match(line)
            if not in_range(marker, rev):
                continue
            line = resolve_variants(RANGE.sub("", line, count=1), rev).strip()
            if not line:
                continue
            kind = {"- ": "ul", "+ ": "ol"}.get(line[:2])
            if kind:
                if blocks and blocks[-1].kind == kind and blocks[-1].items is not None:
                    blocks[-1].items.append(line[2:])
                else:
                    blocks.append(Block(kind, items=[line[2:]]))
            else:
                blocks.append(Block("p", line))
        blocks_by_rev[rev] = blocks
    if not title or len(updated) != revisions:
        raise ValueError(f"{path}: needs @title and {revisions} @updated dates")
    return LegalSource(title, updated, blocks_by_rev)


def inline(text: str, link: Callable[[str], str]) -> str:
    out = html.escape(text, quote=False)
    out = BOLD.sub(r"<strong>\1</strong>", out)
    return LINK.sub(lambda m: f'<a href="{html.escape(link(m.group(2)))}">{m.group(1)}</a>', out)


def render_blocks(blocks: list[Block], rev: int, link: Callable[[str], str]) -> str:
    """HTML of the legal text, with whitespace and attribute order that change between revisions
    (markup noise that must never count as a change)."""
    ind = "  " if rev % 2 else "    "
    wrap = rev % 2 == 0
    out: list[str] = []
    h2 = h3 = 0
    open_section = False

    def para(tag: str, text: str, depth: int) -> str:
        body = inline(text, link)
        if wrap and len(body) > 90:
            inner = textwrap.fill(body, 88, break_long_words=False, break_on_hyphens=False)
            body = "\n" + textwrap.indent(inner, ind * (depth + 1)) + "\n" + ind * depth
        return f"{ind * depth}<{tag}>{body}</{tag}>"

    for block in blocks:
        if block.kind == "h2":
            if open_section:
                out.append("</section>")
            label = block.text
            if block.numbered:
                h2 += 1
                h3 = 0
                label = f"{h2}. {label}"
            anchor = f"s{h2}" if block.numbered else re.sub(r"\W+", "-", block.text.lower())
            attrs = f'id="{anchor}" class="clause"' if rev % 2 else f'class="clause" id="{anchor}"'
            out.append(f"<section {attrs}>")
            out.append(para("h2", label, 1))
            open_section = True
        elif block.kind == "h3":
            h3 += 1
            out.append(para("h3", f"{h2}.{h3} {block.text}", 1))
        elif block.kind == "p":
            out.append(para("p", block.text, 1))
        else:
            out.append(f"{ind}<{block.kind}>")
            out.extend(para("li", item, 2) for item in block.items or [])
            out.append(f"{ind}</{block.kind}>")
    if open_section:
        out.append("</section>")
    return "\n".join(out)


def digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def long_date(iso: str, style: str) -> str:
    d = date.fromisoformat(iso)
    if style == "dmy":
        return f"{d.day} {d:%B %Y}"
    return f"{d:%B} {d.day}, {d.year}"
