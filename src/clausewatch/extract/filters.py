"""Run a service's ``<Service>.filters.js`` for real, in Chromium, on the snapshot's DOM.

OTA's filters are JavaScript functions ``(document, context)`` that rewrite the page before
selection (``context`` = ``{fetch, select, remove, filter}``). Re-implementing each in Python
would drift from OTA; running them in a real DOM does not. The snapshot is loaded with
``page.set_content`` with JavaScript disabled for the page itself (OTA's DOM never runs the
page's scripts) and every network request refused, the filters module is imported from a
``data:`` URL, its named exports are called in declaration order, and the serialised
``document.documentElement`` comes back to the normal pipeline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from clausewatch.config import CHROMIUM_ARGS, Settings
from clausewatch.declarations.model import RangeSelector, SourceDocument
from clausewatch.extract.errors import FilterFailed, FilterUnavailable

_EXPORT = re.compile(
    r"export\s+(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)"
    r"|export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)"
    r"|export\s*\{([^}]*)\}"
)

_RUNNER = """
async ([source, names, context]) => {
  const module = (new Function(source))();
  for (const name of names) {
    const fn = module[name];
    if (typeof fn !== 'function') throw new Error(`filter "${name}" is not exported`);
    try {
      await fn(document, context);
    } catch (error) {
      throw new Error(`The filter function "${name}" failed: ${error}`);
    }
  }
  return '<!DOCTYPE html>' + document.documentElement.outerHTML;
}
"""


def exported_names(source: str) -> set[str]:
    """Names a filters module exports (a static read, enough to report missing filters)."""
    names: set[str] = set()
    for func, var, group in _EXPORT.findall(source):
        if func or var:
            names.add(func or var)
        for part in group.split(","):
            part = part.strip()
            if part:
                names.add(part.split(" as ")[-1].strip())
    return names


_IMPORT = re.compile(r"^\s*import\s", re.M)
_EXPORT_KEYWORD = re.compile(r"\bexport\s+(?=(?:async\s+)?function\b|const\b|let\b|var\b)")
_EXPORT_LIST = re.compile(r"\bexport\s*\{[^}]*\}\s*;?")


def _as_function_body(code: str, names: set[str]) -> str:
    """The module as a function body returning its exports.

    Pages loaded with JavaScript disabled cannot import modules, but evaluating a function
    still works; filters are self-contained functions of the DOM, so dropping ``export`` is
    all the module system they need.
    """
    if _IMPORT.search(code):
        raise FilterFailed("filters that import other modules are not supported")
    body = _EXPORT_LIST.sub("", _EXPORT_KEYWORD.sub("", code))
    exports = ", ".join(sorted(names))
    return body + "\nreturn {" + exports + "};"


def _selector_json(selectors: tuple[str | RangeSelector, ...]) -> Any:
    values = [s.to_json() if isinstance(s, RangeSelector) else s for s in selectors]
    return values[0] if len(values) == 1 else values


def chromium_available() -> bool:
    return Path(Settings().chromium_path).exists()


def run_filters(html: str, source: SourceDocument, filters_file: Path, *, url: str) -> str:
    """The page's HTML after the declared filters ran on its DOM in Chromium."""
    where = str(filters_file)
    try:
        code = filters_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FilterUnavailable(source.filters, where=where) from exc
    missing = tuple(name for name in source.filters if name not in exported_names(code))
    if missing:
        raise FilterUnavailable(missing, where=where)
    if not chromium_available():
        raise FilterFailed(f"Chromium not found at {Settings().chromium_path}", where=where)
    context = {
        "fetch": url,
        "select": _selector_json(source.select),
        "remove": _selector_json(source.remove) if source.remove else [],
        "filter": list(source.filters),
    }
    body = _as_function_body(code, exported_names(code))
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=Settings().chromium_path, args=list(CHROMIUM_ARGS)
            )
            try:
                page_context = browser.new_context(java_script_enabled=False)
                page_context.route("**/*", lambda route: route.abort())
                page = page_context.new_page()
                page.set_content(html, wait_until="domcontentloaded")
                result = page.evaluate(_RUNNER, [body, list(source.filters), context])
            finally:
                browser.close()
    except PlaywrightError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FilterFailed(message, where=where) from exc
    if not isinstance(result, str):
        raise FilterFailed(f"filters returned {json.dumps(type(result).__name__)}", where=where)
    return result
