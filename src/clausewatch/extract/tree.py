"""A minimal DOM of the selected content: just what the Markdown conversion reads.

Selectolax (Lexbor) parses and runs the CSS selectors in C; converting to Markdown, though,
needs a tree we can mutate and annotate cheaply (whitespace collapsing rewrites text, the
conversion caches text content and sibling links). Wrapping Lexbor nodes for every access is
several times slower than walking plain Python objects once, so the selected fragment is copied
into these slotted nodes, one pass, and everything after works on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

ELEMENT = 1
TEXT = 3
FRAGMENT = 11

# Elements whose descendants are not in the HTML namespace: their DOM nodeName keeps its case,
# so they never match the upper-case HTML tag lists of the converter.
FOREIGN_ROOTS = frozenset({"svg", "math"})
# HTML integration points inside foreign content bring the HTML namespace back.
FOREIGN_EXITS = frozenset({"foreignObject", "foreignobject", "desc", "title"})


class Node:
    """One DOM node; ``name`` is the DOM nodeName (upper case for HTML elements)."""

    __slots__ = ("_text", "attrs", "children", "data", "kind", "name", "parent")

    def __init__(
        self,
        kind: int,
        name: str,
        attrs: dict[str, str] | None = None,
        data: str = "",
    ) -> None:
        self.kind = kind
        self.name = name
        self.attrs: dict[str, str] = attrs if attrs is not None else {}
        self.children: list[Node] = []
        self.parent: Node | None = None
        self.data = data
        self._text: str | None = None

    def append(self, child: Node) -> None:
        child.parent = self
        self.children.append(child)

    def text(self) -> str:
        """DOM ``textContent``; cached, so call only once the tree no longer changes."""
        if self.kind == TEXT:
            return self.data
        cached = self._text
        if cached is None:
            cached = "".join([c.data if c.kind == TEXT else c.text() for c in self.children])
            self._text = cached
        return cached

    def iter_elements(self) -> Iterator[Node]:
        """Descendant elements in tree order (not the node itself)."""
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if node.kind == ELEMENT:
                yield node
                if node.children:
                    stack.extend(reversed(node.children))

    def __repr__(self) -> str:
        if self.kind == TEXT:
            return f"Text({self.data!r})"
        return f"<{self.name} {self.attrs}: {len(self.children)} children>"


def _dom_name(tag: str, foreign: bool) -> str:
    return tag if foreign else tag.upper()


# Only these elements have attributes the conversion reads (links, images, list starts, table
# spans and alignment, checkboxes, highlighted code); skipping the rest saves a dict per node.
ATTRIBUTE_TAGS = frozenset({"a", "img", "ol", "td", "th", "input", "div"})


def copy_lexbor(
    node: Any,
    parent: Node,
    *,
    foreign: bool = False,
    rewrite: Callable[[Node], None] | None = None,
) -> None:
    """Append a deep copy of a Lexbor node (element or text) under ``parent``.

    Comments and other node types are left out: the converter's whitespace pass deletes them
    before anything reads the tree, so copying them would only cost time.
    """
    tag = node.tag
    if tag == "-text":
        text = Node(TEXT, "#text", None, node.text_content or "")
        text.parent = parent
        parent.children.append(text)
        return
    if tag is None or tag[0] == "-" or tag == "!doctype":
        return
    in_foreign = foreign or tag in FOREIGN_ROOTS
    elem = Node(
        ELEMENT,
        tag if in_foreign else tag.upper(),
        _attributes(node) if tag in ATTRIBUTE_TAGS else {},
    )
    elem.parent = parent
    parent.children.append(elem)
    if rewrite is not None and tag == "a":
        rewrite(elem)
        if elem.children:
            return
    _copy_children(node, elem, in_foreign and tag not in FOREIGN_EXITS, rewrite)


def _attributes(node: Any) -> dict[str, str]:
    return {k: ("" if v is None else v) for k, v in node.attributes.items()}


def _copy_children(
    src: Any, dst: Node, foreign: bool, rewrite: Callable[[Node], None] | None
) -> None:
    children = dst.children
    child = src.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            text = Node(TEXT, "#text", None, child.text_content or "")
            text.parent = dst
            children.append(text)
        elif tag is not None and tag[0] != "-" and tag != "!doctype":
            in_foreign = foreign or tag in FOREIGN_ROOTS
            elem = Node(
                ELEMENT,
                tag if in_foreign else tag.upper(),
                _attributes(child) if tag in ATTRIBUTE_TAGS else {},
            )
            elem.parent = dst
            children.append(elem)
            if rewrite is not None and tag == "a":
                rewrite(elem)
                if elem.children:
                    child = child.next
                    continue
            if child.child is not None:
                _copy_children(child, elem, in_foreign and tag not in FOREIGN_EXITS, rewrite)
        child = child.next


def fragment() -> Node:
    return Node(FRAGMENT, "#document-fragment")


def serialize(node: Node) -> str:
    """HTML of a node's children (for ``extract_html`` and debugging, not for the hot path)."""
    from html import escape

    out: list[str] = []

    def walk(n: Node) -> None:
        if n.kind == TEXT:
            out.append(escape(n.data, quote=False))
            return
        name = n.name.lower() if n.name.isupper() else n.name
        attrs = "".join(
            f' {k}="{escape(v, quote=True)}"' if v is not None else f" {k}"
            for k, v in n.attrs.items()
        )
        out.append(f"<{name}{attrs}>")
        for c in n.children:
            walk(c)
        if name not in VOID_TAGS:
            out.append(f"</{name}>")

    for child in node.children:
        walk(child)
    return "".join(out)


VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "command",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
