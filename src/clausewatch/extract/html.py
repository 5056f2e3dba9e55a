"""Cut the declared content out of an HTML snapshot, the way OTA does, fast.

Order matters for byte equality with OTA's recorded versions, so this follows its engine:
filters first, then the built-in cleanups on the whole page (links made absolute against the
document URL, scripts and styles dropped, Cloudflare-protected addresses replaced by the
placeholder OTA writes), then ``remove``, then ``select`` (CSS selectors and range selectors,
each in declaration order). Parsing and CSS matching run in Lexbor (C); only the selected part
is copied into Python objects for the Markdown conversion.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from clausewatch.declarations.model import RangeSelector, Selector, SourceDocument
from clausewatch.extract.errors import SelectorMatchedNothing
from clausewatch.extract.tree import ELEMENT, Node, copy_lexbor, fragment, serialize
from clausewatch.extract.urls import resolve

EMAIL_PLACEHOLDER = "[email\xa0protected]"
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def decode_html(content: bytes | str, content_type: str | None = None) -> str:
    """Text of an HTML snapshot: BOM, then HTTP charset, then ``<meta>`` charset, else UTF-8.

    Undecodable bytes become U+FFFD rather than failing: a page with one bad byte is still
    the document, and the replacement character shows up in the diff where it matters.
    """
    if isinstance(content, str):
        return content
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    candidates: list[str] = []
    if content_type:
        match = _HTTP_CHARSET.search(content_type)
        if match:
            candidates.append(match.group(1))
    meta = _META_CHARSET.search(content[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in candidates:
        try:
            encoding = codecs.lookup(name).name
        except LookupError:
            continue
        if encoding in ("latin-1", "iso8859-1", "ascii"):
            encoding = "cp1252"  # what browsers (and the WHATWG Encoding spec) mean by it
        if encoding.startswith("utf-16"):
            encoding = "utf-8"  # a meta tag that claims UTF-16 is wrong by construction
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            return content.decode(encoding, errors="replace")
    return content.decode("utf-8", errors="replace")


def _children(node: Any) -> list[Any]:
    out = []
    child = node.child
    while child is not None:
        out.append(child)
        child = child.next
    return out


def _index(node: Any) -> int:
    i = 0
    prev = node.prev
    while prev is not None:
        i += 1
        prev = prev.prev
    return i


def _same(a: Any, b: Any) -> bool:
    return bool(a.mem_id == b.mem_id)


def _describe(selector: Selector) -> str:
    if isinstance(selector, RangeSelector):
        return str(selector.to_json())
    return repr(selector)


class Page:
    """A parsed snapshot with the document URL its relative links resolve against."""

    def __init__(self, text: str, url: str | None) -> None:
        self.parser = LexborHTMLParser(text)
        self.url = url
        self.base = url
        if url and ("<base" in text or "<BASE" in text):
            base = self.parser.css_first("base[href]")
            if base is not None:
                href = base.attributes.get("href") or ""
                self.base = resolve(href, url) or url

    @property
    def root(self) -> Any:
        return self.parser.root

    def first(self, selector: str, where: str | None) -> Any:
        try:
            return self.parser.css_first(selector)
        except Exception as exc:  # Lexbor raises ValueError/SelectolaxError on bad CSS
            raise SelectorMatchedNothing(f"{selector!r} (invalid CSS: {exc})", where=where) from exc

    def all(self, selector: str, where: str | None) -> list[Any]:
        try:
            return list(self.parser.css(selector))
        except Exception as exc:
            raise SelectorMatchedNothing(f"{selector!r} (invalid CSS: {exc})", where=where) from exc

    # --- range selectors --------------------------------------------------------------

    def boundaries(
        self, selector: RangeSelector, where: str | None
    ) -> tuple[tuple[Any, int], tuple[Any, int]]:
        start_css = selector.start_before or selector.start_after or ""
        end_css = selector.end_before or selector.end_after or ""
        start = self.first(start_css, where)
        if start is None:
            raise SelectorMatchedNothing(
                f"{_describe(selector)} (its start {start_css!r})", where=where
            )
        end = self.first(end_css, where)
        if end is None:
            raise SelectorMatchedNothing(
                f"{_describe(selector)} (its end {end_css!r})", where=where
            )
        s_index = _index(start) + (0 if selector.start_before else 1)
        e_index = _index(end) + (0 if selector.end_before else 1)
        return (start.parent, s_index), (end.parent, e_index)


def _ancestors(node: Any) -> list[Any]:
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _common_ancestor(a: Any, b: Any) -> Any:
    ids = {n.mem_id for n in _ancestors(b)}
    for n in _ancestors(a):
        if n.mem_id in ids:
            return n
    return None


def _is_inclusive_ancestor(ancestor: Any, node: Any) -> bool:
    return any(_same(n, ancestor) for n in _ancestors(node))


def _child_of_toward(ancestor: Any, node: Any) -> Any:
    """The child of ``ancestor`` that contains ``node``."""
    previous = node
    current = node.parent
    while current is not None and not _same(current, ancestor):
        previous = current
        current = current.parent
    return previous


def _clone_range(
    start: tuple[Any, int],
    end: tuple[Any, int],
    out: Node,
    rewrite: Callable[[Node], None] | None,
) -> None:
    """DOM ``Range.cloneContents`` for boundary points that sit between nodes."""
    (sc, so), (ec, eo) = start, end
    if _same(sc, ec):
        for child in _children(sc)[so:eo]:
            copy_lexbor(child, out, rewrite=rewrite)
        return
    common = _common_ancestor(sc, ec)
    if common is None:
        return
    kids = _children(common)
    first = None if _is_inclusive_ancestor(sc, ec) else _child_of_toward(common, sc)
    last = None if _is_inclusive_ancestor(ec, sc) else _child_of_toward(common, ec)
    lo = so if first is None else _index(first)
    hi = eo if last is None else _index(last)
    if first is not None:
        shell = _shallow(first, out)
        _clone_range((sc, so), (first, len(_children(first))), shell, rewrite)
        lo += 1
    for child in kids[lo:hi]:
        copy_lexbor(child, out, rewrite=rewrite)
    if last is not None:
        shell = _shallow(last, out)
        _clone_range((last, 0), (ec, eo), shell, rewrite)


def _shallow(src: Any, parent: Node) -> Node:
    if src.is_text_node:
        node = Node(3, "#text", None, src.text_content or "")
    else:
        tag = src.tag or ""
        attrs = {k: ("" if v is None else v) for k, v in src.attributes.items()}
        node = Node(ELEMENT, tag.upper(), attrs)
    parent.append(node)
    return node


def _delete_range(start: tuple[Any, int], end: tuple[Any, int]) -> None:
    """DOM ``Range.deleteContents`` for boundary points that sit between nodes."""
    (sc, so), (ec, eo) = start, end
    doomed: list[Any] = []
    if _same(sc, ec):
        doomed = _children(sc)[so:eo]
    else:
        common = _common_ancestor(sc, ec)
        if common is None:
            return
        node, offset = sc, so
        while not _same(node, common):
            doomed.extend(_children(node)[offset:])
            offset = _index(node) + 1
            node = node.parent
        lo = offset
        node, offset = ec, eo
        while not _same(node, common):
            doomed.extend(_children(node)[:offset])
            offset = _index(node)
            node = node.parent
        hi = offset
        doomed.extend(_children(common)[lo:hi])
    for node in doomed:
        node.remove()


def _adjust(point: tuple[Any, int], removed: Any) -> tuple[Any, int]:
    """Move a live range boundary the way the DOM does when ``removed`` leaves the tree."""
    container, offset = point
    parent = removed.parent
    if parent is None:
        return point
    if _is_inclusive_ancestor(removed, container):
        return parent, _index(removed)
    if _same(container, parent) and offset > _index(removed):
        return container, offset - 1
    return point


class LinkRewriter:
    """Absolute links and the e-mail placeholder, applied while copying the selected nodes.

    OTA rewrites every ``a[href]`` of the page before selecting; rewriting only what ends up
    selected gives the same bytes (selectors that test ``href`` are handled on the page, see
    :func:`select_fragment`) for a fraction of the cost.
    """

    def __init__(self, base: str | None) -> None:
        self.base = base

    def __call__(self, node: Node) -> None:
        if node.name != "A":
            return
        href = node.attrs.get("href")
        if href is None:
            return
        if self.base and href and not href.startswith("#"):
            resolved = resolve(href, self.base)
            if resolved is not None:
                href = resolved
                node.attrs["href"] = href
        if "/email-protection" in href:
            node.attrs["href"] = href.split("#", 1)[0]
            text = Node(3, "#text", None, EMAIL_PLACEHOLDER)
            node.append(text)


def _absolutize_page(page: Page) -> None:
    if not page.base:
        return
    for link in page.all("a[href]", None):
        href = link.attributes.get("href") or ""
        if href and not href.startswith("#"):
            resolved = resolve(href, page.base)
            if resolved is not None and resolved != href:
                link.attrs["href"] = resolved


def _uses_href(selectors: Sequence[Selector]) -> bool:
    for sel in selectors:
        texts = (
            [sel]
            if isinstance(sel, str)
            else [
                s for s in (sel.start_before, sel.start_after, sel.end_before, sel.end_after) if s
            ]
        )
        if any("href" in t for t in texts):
            return True
    return False


def select_fragment(page: Page, source: SourceDocument, *, where: str | None = None) -> Node:
    """Apply cleanups, ``remove`` and ``select`` to a parsed page; the selection as a tree."""
    where = where or page.url or source.location
    if _uses_href((*source.select, *source.remove)):
        _absolutize_page(page)
    page.parser.strip_tags(["script", "style"])
    # remove: ranges are resolved first (live ranges), CSS removals next, then range contents
    ranges: list[tuple[tuple[Any, int], tuple[Any, int]]] = []
    doomed: list[Any] = []
    for selector in source.remove:
        if isinstance(selector, RangeSelector):
            ranges.append(page.boundaries(selector, where))
        else:
            doomed.extend(page.all(selector, where))
    for node in doomed:
        if node.parent is None:
            continue
        if ranges:
            ranges = [(_adjust(s, node), _adjust(e, node)) for s, e in ranges]
        node.remove()
    for start, end in ranges:
        _delete_range(start, end)
    # select
    from clausewatch.extract.markdown import deep_trees

    rewrite = LinkRewriter(page.base)
    root = fragment()
    selectors: Sequence[Selector] = source.select or ("body",)
    with deep_trees():
        for selector in selectors:
            if isinstance(selector, RangeSelector):
                start, end = page.boundaries(selector, where)
                _clone_range(start, end, root, rewrite)
            else:
                for node in page.all(selector, where):
                    copy_lexbor(node, root, rewrite=rewrite)
    if not any(child.kind == ELEMENT for child in root.children):
        shown = ", ".join(_describe(s) for s in selectors)
        raise SelectorMatchedNothing(shown, where=where)
    return root


def extract_html(
    content: bytes | str,
    source: SourceDocument,
    *,
    url: str | None = None,
    content_type: str | None = None,
) -> str:
    """The selected, cleaned HTML fragment of a snapshot (what the Markdown is made from)."""
    page = Page(decode_html(content, content_type), url or source.location)
    return serialize(select_fragment(page, source))


def extract_tree(
    content: bytes | str,
    source: SourceDocument,
    *,
    url: str | None = None,
    content_type: str | None = None,
) -> Node:
    """Like :func:`extract_html` but returns the tree, skipping a serialise/parse round trip."""
    page = Page(decode_html(content, content_type), url or source.location)
    return select_fragment(page, source)
