"""HTML → Markdown, byte-compatible with what Open Terms Archive records.

OTA converts with turndown 7 (default options: setext headings, ``*`` bullets, ``_``
emphasis, indented code), the joplin GFM plugin (tables, strikethrough, task items) and a
rule that trims link text. Its versions are what people diff, so the goal here is the same
bytes, not merely similar Markdown: every rule below reproduces that documented behaviour,
including the quirks (whitespace collapsing that leaves empty text nodes, cell indexes that
count text nodes, UTF-16 lengths for heading underlines). It is our own implementation over
the small tree of :mod:`clausewatch.extract.tree`, one pass, no per-node regex where a string
method does.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from clausewatch.extract.tree import ELEMENT, FRAGMENT, TEXT, Node

# JavaScript's \s and String.prototype.trim() set (differs from Python's str.isspace()).
JS_WS = (
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_WS_CLASS = "[" + re.escape(JS_WS) + "]"

BLOCK = frozenset(
    [
        "ADDRESS",
        "ARTICLE",
        "ASIDE",
        "AUDIO",
        "BLOCKQUOTE",
        "BODY",
        "CANVAS",
        "CENTER",
        "DD",
        "DIR",
        "DIV",
        "DL",
        "DT",
        "FIELDSET",
        "FIGCAPTION",
        "FIGURE",
        "FOOTER",
        "FORM",
        "FRAMESET",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "HEADER",
        "HGROUP",
        "HR",
        "HTML",
        "ISINDEX",
        "LI",
        "MAIN",
        "MENU",
        "NAV",
        "NOFRAMES",
        "NOSCRIPT",
        "OL",
        "OUTPUT",
        "P",
        "PRE",
        "SECTION",
        "TABLE",
        "TBODY",
        "TD",
        "TFOOT",
        "TH",
        "THEAD",
        "TR",
        "UL",
    ]
)
VOID = frozenset(
    [
        "AREA",
        "BASE",
        "BR",
        "COL",
        "COMMAND",
        "EMBED",
        "HR",
        "IMG",
        "INPUT",
        "KEYGEN",
        "LINK",
        "META",
        "PARAM",
        "SOURCE",
        "TRACK",
        "WBR",
    ]
)
MEANINGFUL_WHEN_BLANK = frozenset(
    ["A", "TABLE", "THEAD", "TBODY", "TFOOT", "TH", "TD", "IFRAME", "SCRIPT", "AUDIO", "VIDEO"]
)
HEADINGS = {"H1": 1, "H2": 2, "H3": 3, "H4": 4, "H5": 5, "H6": 6}
SECTIONS = frozenset({"THEAD", "TBODY", "TFOOT"})

_ASCII_WS_RUN = re.compile(r"[ \r\n\t]+")
_ESCAPE_TRIGGER = re.compile(r"[\\*`\[\]_]")
_HASH_HEADING = re.compile(r"#{1,6} ")
_ORDERED = re.compile(r"^([0-9]+)\. ")
_PIPES = re.compile(r"\|+")
_NEWLINES = re.compile(r"\n+")
_CLEAN_ATTR = re.compile(r"(?:\n+" + _JS_WS_CLASS + r"*)+")
_EOL = re.compile(r"\r?\n|\r")
_CODE_PAD = re.compile(r"^`|^ [^\n\r\u2028\u2029]*?[^ ][^\n\r\u2028\u2029]* \Z|`\Z")
_TICKS = re.compile(r"`+")
_LINE_START = re.compile(r"(?:^|(?<=[\n\r\u2028\u2029]))")
_HIGHLIGHT = re.compile(r"highlight-(?:text|source)-([a-z0-9]+)")
_OUTER_NL = re.compile(r"^\n+|\n+\Z")


def js_len(text: str) -> int:
    """String length in UTF-16 code units, as JavaScript counts it."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def escape(text: str) -> str:
    """Backslash-escape Markdown syntax in a text node (turndown's escape list, in order)."""
    if not text:
        return text
    if _ESCAPE_TRIGGER.search(text) is None and text[0] not in "-+=#~>0123456789":
        return text
    text = text.replace("\\", "\\\\").replace("*", "\\*")
    if text.startswith("-") or text.startswith("+ "):
        text = "\\" + text
    if text.startswith("=") or _HASH_HEADING.match(text):
        text = "\\" + text
    text = text.replace("`", "\\`")
    if text.startswith("~~~"):
        text = "\\" + text
    text = text.replace("[", "\\[").replace("]", "\\]")
    if text.startswith(">"):
        text = "\\" + text
    text = text.replace("_", "\\_")
    if text[0].isdigit():
        text = _ORDERED.sub(r"\1\\. ", text, count=1)
    return text


def _js_number(text: str) -> float | None:
    """``Number(text)`` for attribute values; None stands for NaN."""
    text = text.strip(JS_WS)
    if not text:
        return 0.0
    try:
        if text[:2].lower() in ("0x", "0o", "0b"):
            return float(int(text, 0))
        if text.lower() in ("infinity", "+infinity", "-infinity", "nan", "inf", "+inf", "-inf"):
            return None if "n" in text.lower() and "inf" not in text.lower() else float(text)
        return float(text)
    except ValueError:
        return None


def _js_str(number: float | None) -> str:
    if number is None:
        return "NaN"
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    return repr(number)


# --- whitespace collapsing (turndown's collapse-whitespace pass) -------------------------


class _Collapse:
    __slots__ = ("keep", "prev")

    def __init__(self) -> None:
        self.prev: Node | None = None
        self.keep = False

    def element(self, node: Node) -> None:
        name = node.name
        if name in BLOCK or name == "BR":
            prev = self.prev
            if prev is not None and prev.data.endswith(" "):
                prev.data = prev.data[:-1]
            self.prev = None
            self.keep = False
        elif name in VOID or name == "PRE":
            self.prev = None
            self.keep = True
        elif self.prev is not None:
            self.keep = False

    def children(self, parent: Node) -> None:
        kept: list[Node] = []
        for node in parent.children:
            if node.kind == TEXT:
                text = node.data
                if " " in text or "\n" in text or "\t" in text or "\r" in text:
                    text = _ASCII_WS_RUN.sub(" ", text)
                prev = self.prev
                if text[:1] == " " and not self.keep and (prev is None or prev.data.endswith(" ")):
                    text = text[1:]
                if not text:
                    continue
                node.data = text
                self.prev = node
                kept.append(node)
            else:
                kept.append(node)
                self.element(node)
                if node.children and node.name != "PRE":
                    self.children(node)
                    self.element(node)
        if len(kept) != len(parent.children):
            parent.children = kept


def collapse_whitespace(root: Node) -> None:
    if not root.children or root.name == "PRE":
        return
    state = _Collapse()
    state.children(root)
    last = state.prev
    if last is not None:
        if last.data.endswith(" "):
            last.data = last.data[:-1]
        if not last.data and last.parent is not None:
            last.parent.children = [c for c in last.parent.children if c is not last]


# --- conversion ---------------------------------------------------------------------------


def _is_ws(text: str) -> bool:
    return not text.strip(JS_WS)


def _has_any(node: Node, names: frozenset[str]) -> bool:
    return any(e.name in names for e in node.iter_elements())


class _Converter:
    """One conversion; holds per-table caches so each table is measured once."""

    def __init__(self) -> None:
        self.tables: dict[int, tuple[list[Node], int, bool]] = {}

    # structure helpers

    def is_blank(self, node: Node) -> bool:
        name = node.name
        if name in VOID or name in MEANINGFUL_WHEN_BLANK:
            return False
        if not _is_ws(node.text()):
            return False
        return not _has_any(node, VOID) and not _has_any(node, MEANINGFUL_WHEN_BLANK)

    def flanking(self, node: Node, siblings: list[Node], index: int) -> tuple[str, str]:
        text = node.text()
        if not text:
            return "", ""
        stripped_left = text.lstrip(JS_WS)
        if not stripped_left:
            leading, trailing = text, ""
        else:
            leading = text[: len(text) - len(stripped_left)]
            stripped = stripped_left.rstrip(JS_WS)
            trailing = stripped_left[len(stripped) :]
        if leading:
            ascii_part = leading[: len(leading) - len(leading.lstrip(" \t\r\n"))]
            if ascii_part and index > 0 and _ends_with_space(siblings[index - 1]):
                leading = leading[len(ascii_part) :]
        if trailing:
            ascii_tail = trailing[len(trailing.rstrip(" \t\r\n")) :]
            if ascii_tail and index + 1 < len(siblings) and _starts_with_space(siblings[index + 1]):
                trailing = trailing[: len(trailing) - len(ascii_tail)]
        return leading, trailing

    def table_info(self, table: Node | None) -> tuple[list[Node], int, bool]:
        """(rows, column count, skipped) of a table, as the GFM plugin measures them."""
        if table is None:
            return [], 0, True
        info = self.tables.get(id(table))
        if info is None:
            head: list[Node] = []
            body: list[Node] = []
            foot: list[Node] = []
            for child in table.children:
                if child.name == "TR":
                    body.append(child)
                elif child.name in SECTIONS:
                    bucket = (
                        head if child.name == "THEAD" else foot if child.name == "TFOOT" else body
                    )
                    bucket.extend(r for r in child.children if r.name == "TR")
            rows = head + body + foot
            cols = max((len(r.children) for r in rows), default=0)
            skipped = (len(rows) == 1 and len(rows[0].children) <= 1) or _has_any(
                table, frozenset({"TABLE"})
            )
            info = (rows, cols, skipped)
            self.tables[id(table)] = info
        return info

    # the walk

    def process(self, parent: Node, in_code: bool) -> str:
        body: list[str] = []
        trail = 0
        children = parent.children
        for index, node in enumerate(children):
            if node.kind == TEXT:
                rep = node.data if in_code else escape(node.data)
            else:
                rep = self.replacement(node, children, index, in_code)
            if not rep:
                if trail > 2:
                    trail = 2
                continue
            if rep[0] == "\n":
                s2 = rep.lstrip("\n")
                lead = len(rep) - len(s2)
            else:
                s2 = rep
                lead = 0
            n = trail if trail > lead else lead
            if s2:
                if n:
                    body.append("\n\n" if n >= 2 else "\n")
                if s2[-1] == "\n":
                    core = s2.rstrip("\n")
                    trail = len(s2) - len(core)
                    body.append(core)
                else:
                    trail = 0
                    body.append(s2)
            else:
                trail = n if n < 2 else 2
        if trail:
            body.append("\n\n" if trail >= 2 else "\n")
        return "".join(body)

    def replacement(self, node: Node, siblings: list[Node], index: int, in_code: bool) -> str:
        name = node.name
        code = in_code or name == "CODE"
        block = name in BLOCK
        if self.is_blank(node):
            if block:
                return "\n\n"
            lead, trail = self.flanking(node, siblings, index)
            return lead + trail
        content = self.process(node, code)
        if block:
            return self.rule(node, content, siblings, index)
        lead, trail = self.flanking(node, siblings, index)
        if lead or trail:
            content = content.strip(JS_WS)
        return lead + self.rule(node, content, siblings, index) + trail

    def rule(self, node: Node, content: str, siblings: list[Node], index: int) -> str:
        name = node.name
        if name == "A":
            href = node.attrs.get("href")
            if href:
                content = content.strip(JS_WS)
                href = href.replace("(", "\\(").replace(")", "\\)")
                title = _clean_attribute(node.attrs.get("title"))
                if title:
                    title = ' "' + title.replace('"', '\\"') + '"'
                return "[" + content + "](" + href + title + ")"
            return content
        if name == "P":
            return "\n\n" + content + "\n\n"
        if name == "INPUT":
            parent = node.parent
            if (
                node.attrs.get("type", "").lower() == "checkbox"
                and parent is not None
                and parent.name == "LI"
            ):
                return ("[x]" if "checked" in node.attrs else "[ ]") + " "
            return content
        if name in SECTIONS:
            return content
        if name == "TABLE":
            return self.table(node, content)
        if name == "TR":
            return self.table_row(node, content)
        if name in ("TD", "TH"):
            _rows, _cols, skipped = self.table_info(_parent_table(node))
            if skipped:
                return content
            return _cell(content, node)
        if name in ("DEL", "S", "STRIKE"):
            return "~" + content + "~"
        if name == "DIV":
            first = node.children[0] if node.children else None
            if (
                first is not None
                and first.name == "PRE"
                and _HIGHLIGHT.search(node.attrs.get("class", ""))
            ):
                match = _HIGHLIGHT.search(node.attrs.get("class", ""))
                language = match.group(1) if match else ""
                return "\n\n```" + language + "\n" + first.text() + "\n```\n\n"
            return "\n\n" + content + "\n\n"
        if name == "BR":
            return "  \n"
        level = HEADINGS.get(name)
        if level is not None:
            if level < 3:
                underline = ("=" if level == 1 else "-") * js_len(content)
                return "\n\n" + content + "\n" + underline + "\n\n"
            return "\n\n" + "#" * level + " " + content + "\n\n"
        if name == "BLOCKQUOTE":
            content = _OUTER_NL.sub("", content)
            content = _LINE_START.sub("> ", content)
            return "\n\n" + content + "\n\n"
        if name in ("UL", "OL"):
            parent = node.parent
            if parent is not None and parent.name == "LI" and _last_element(parent) is node:
                return "\n" + content
            return "\n\n" + content + "\n\n"
        if name == "LI":
            return self.list_item(node, content, siblings, index)
        if name == "PRE":
            first = node.children[0] if node.children else None
            if first is not None and first.name == "CODE":
                return "\n\n    " + first.text().replace("\n", "\n    ") + "\n\n"
            return "\n\n" + content + "\n\n"
        if name == "HR":
            return "\n\n* * *\n\n"
        if name in ("EM", "I"):
            return "_" + content + "_" if content.strip(JS_WS) else ""
        if name in ("STRONG", "B"):
            return "**" + content + "**" if content.strip(JS_WS) else ""
        if name == "CODE":
            parent = node.parent
            alone = len(siblings) == 1
            if parent is not None and parent.name == "PRE" and alone:
                return content
            return _code(content)
        if name == "IMG":
            src = node.attrs.get("src") or ""
            if not src:
                return ""
            alt = _clean_attribute(node.attrs.get("alt"))
            title = _clean_attribute(node.attrs.get("title"))
            return "![" + alt + "](" + src + (' "' + title + '"' if title else "") + ")"
        if name in BLOCK:
            return "\n\n" + content + "\n\n"
        return content

    def list_item(self, node: Node, content: str, siblings: list[Node], index: int) -> str:
        parent = node.parent
        prefix = "*   "
        if parent is not None and parent.name == "OL":
            position = [c for c in parent.children if c.kind == ELEMENT].index(node)
            start = parent.attrs.get("start")
            if start:
                number = _js_number(start)
                label = _js_str(None if number is None else number + position)
            else:
                label = str(position + 1)
            prefix = label + ".  "
        content = content.lstrip("\n")
        stripped = content.rstrip("\n")
        if len(stripped) != len(content):
            content = stripped + "\n"
        content = content.replace("\n", "\n" + " " * len(prefix))
        has_next = index + 1 < len(siblings)
        return prefix + content + ("\n" if has_next and not content.endswith("\n") else "")

    def table_row(self, node: Node, content: str) -> str:
        table = _parent_table(node)
        _rows, cols, skipped = self.table_info(table)
        if skipped:
            return content
        border = ""
        if _is_heading_row(node):
            for i in range(cols):
                child = None if cols >= len(node.children) else node.children[i]
                mark = "---"
                if child is not None:
                    align = child.attrs.get("align", "").lower()
                    mark = {"left": ":--", "right": "--:", "center": ":-:"}.get(align, mark)
                    border += _cell(mark, child)
                else:
                    border += _cell(mark, None, i)
        return "\n" + content + ("\n" + border if border else "")

    def table(self, node: Node, content: str) -> str:
        _rows, cols, skipped = self.table_info(node)
        if skipped:
            return content
        content = _NEWLINES.sub("\n", content)
        lines = content.strip(JS_WS).split("\n")
        divider = lines[1].startswith("| ---") if len(lines) >= 2 else lines[0] == "| ---"
        header = ""
        if cols and not divider:
            header = "|" + "     |" * cols + "\n" + "|" + " --- |" * cols
        return "\n\n" + header + content + "\n\n"


def _ends_with_space(sibling: Node) -> bool:
    if sibling.kind == TEXT:
        return sibling.data.endswith(" ")
    if sibling.name in BLOCK:
        return False
    return sibling.text().endswith(" ")


def _starts_with_space(sibling: Node) -> bool:
    if sibling.kind == TEXT:
        return sibling.data.startswith(" ")
    if sibling.name in BLOCK:
        return False
    return sibling.text().startswith(" ")


def _clean_attribute(value: str | None) -> str:
    return _CLEAN_ATTR.sub("\n", value) if value else ""


def _last_element(node: Node) -> Node | None:
    for child in reversed(node.children):
        if child.kind == ELEMENT:
            return child
    return None


def _parent_table(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.name != "TABLE":
        parent = parent.parent
    return parent


def _is_heading_row(row: Node) -> bool:
    parent = row.parent
    if parent is None:
        return False
    if parent.name == "THEAD":
        return True
    if not parent.children or parent.children[0] is not row:
        return False
    if parent.name != "TABLE" and not _is_first_tbody(parent):
        return False
    return all(c.name == "TH" for c in row.children)


def _is_first_tbody(element: Node) -> bool:
    if element.name != "TBODY" or element.parent is None:
        return False
    siblings = element.parent.children
    position = next(i for i, c in enumerate(siblings) if c is element)
    if position == 0:
        return True
    previous = siblings[position - 1]
    return previous.name == "THEAD" and _is_ws(previous.text())


def _cell(content: str, node: Node | None, index: int | None = None) -> str:
    if index is None:
        assert node is not None and node.parent is not None
        index = next(i for i, c in enumerate(node.parent.children) if c is node)
    prefix = "| " if index == 0 else " "
    text = content.strip(JS_WS).replace("\n\r", "<br>").replace("\n", "<br>")
    if "|" in text:
        text = _PIPES.sub(r"\\|", text)
    width = js_len(text)
    if width < 3:
        text += " " * (3 - width)
    if node is not None:
        span = node.attrs.get("colspan") or "1"
        number = _js_number(span)
        if number is not None and number > 1:
            extra = int(number) if number == int(number) else int(number) + 1
            text += " |    " * (extra - 1)
    return prefix + text + " |"


def _code(content: str) -> str:
    if not content:
        return ""
    content = _EOL.sub(" ", content)
    extra = " " if _CODE_PAD.search(content) else ""
    delimiter = "`"
    runs = set(_TICKS.findall(content))
    while delimiter in runs:
        delimiter += "`"
    return delimiter + extra + content + extra + delimiter


def _post_process(output: str) -> str:
    return output.lstrip("\t\r\n").rstrip(JS_WS)


def convert(root: Node) -> str:
    """Markdown of a fragment (its children); whitespace is collapsed in place first."""
    with deep_trees():
        collapse_whitespace(root)
        output = _Converter().process(root, False)
    return _post_process(output)


@contextmanager
def deep_trees(depth: int = 100_000) -> Iterator[None]:
    """Let the recursive tree walks handle pathological nesting (thousands of unclosed tags).

    Python-to-Python calls don't grow the C stack on 3.11+, so a high limit is safe here; it
    is restored afterwards.
    """
    limit = sys.getrecursionlimit()
    if limit < depth:
        sys.setrecursionlimit(depth)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def html_to_markdown(fragment: str | Node) -> str:
    """Markdown of an HTML fragment the way OTA's converter writes it.

    Takes either HTML text (parsed as the content of a ``<body>``) or a tree built by
    :mod:`clausewatch.extract.html`; the tree is consumed (whitespace is collapsed in place).
    """
    if isinstance(fragment, Node):
        return convert(fragment)
    from selectolax.lexbor import LexborHTMLParser

    from clausewatch.extract.tree import copy_lexbor
    from clausewatch.extract.tree import fragment as new_fragment

    parser = LexborHTMLParser(fragment)
    root = new_fragment()
    body = parser.body
    if body is not None:
        with deep_trees():
            child = body.child
            while child is not None:
                copy_lexbor(child, root)
                child = child.next
    return convert(root)


__all__ = ["FRAGMENT", "JS_WS", "collapse_whitespace", "convert", "escape", "html_to_markdown"]
