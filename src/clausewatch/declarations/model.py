"""Open Terms Archive declarations: our input format, parsed into plain frozen data.

A service is declared in ``<Service>.json`` (``name`` and ``terms`` → terms type → source
document) and, optionally, ``<Service>.history.json`` (terms type → earlier bodies, each with a
``validUntil``). The declaration valid at a date follows OTA's rule: history entries sorted by
``validUntil``, the first whose ``validUntil`` is at or after the date wins, otherwise the
current body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from clausewatch.errors import ClausewatchError

RANGE_KEYS = ("startBefore", "startAfter", "endBefore", "endAfter")
SOURCE_KEYS = ("fetch", "select", "remove", "filter", "executeClientScripts")
TERMS_KEYS = (*SOURCE_KEYS, "combine")
SERVICE_KEYS = ("name", "terms", "importedFrom")


@dataclass(frozen=True)
class RangeSelector:
    """Everything between two elements; each bound either includes or excludes its element."""

    start_before: str | None = None
    start_after: str | None = None
    end_before: str | None = None
    end_after: str | None = None

    def to_json(self) -> dict[str, str]:
        names = zip(
            RANGE_KEYS,
            (self.start_before, self.start_after, self.end_before, self.end_after),
            strict=True,
        )
        return {k: v for k, v in names if v is not None}


Selector = str | RangeSelector


@dataclass(frozen=True)
class SourceDocument:
    """One URL to fetch and how to cut the document out of it."""

    location: str
    select: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()
    filters: tuple[str, ...] = ()
    execute_client_scripts: bool = False


@dataclass(frozen=True)
class TermsDeclaration:
    """A terms type of a service as declared for some period (``valid_until`` None = current)."""

    service: str
    terms_type: str
    sources: tuple[SourceDocument, ...]
    raw: Mapping[str, Any] = field(compare=False, hash=False)
    valid_until: datetime | None = None

    @property
    def location(self) -> str:
        return self.sources[0].location

    @property
    def is_combined(self) -> bool:
        return len(self.sources) > 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a declaration file, precise enough to fix without guessing."""

    path: str
    key: str
    reason: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.key}: {self.reason}" if self.key else f"{self.path}: {self.reason}"
        )


class DeclarationError(ClausewatchError):
    """A declaration file cannot be used; ``problems`` lists every reason at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.key}: {first.reason}{more}", where=first.path)


@dataclass(frozen=True)
class ServiceDeclaration:
    service_id: str
    name: str
    path: Path
    terms: Mapping[str, TermsDeclaration]
    history: Mapping[str, tuple[TermsDeclaration, ...]]
    problems: tuple[Problem, ...] = ()

    def terms_at(self, terms_type: str, when: datetime | None = None) -> TermsDeclaration:
        """The declaration OTA would have used for a fetch at ``when`` (None: the current one)."""
        if when is not None:
            if when.tzinfo is None:
                raise ValueError("terms_at needs a timezone-aware datetime")
            for entry in self.history.get(terms_type, ()):
                if entry.valid_until is not None and entry.valid_until >= when:
                    return entry
        try:
            return self.terms[terms_type]
        except KeyError:
            if terms_type in self.history:
                raise ClausewatchError(
                    f"terms type {terms_type!r} is only declared in history, "
                    f"and no history entry is valid at {when.isoformat() if when else 'now'}",
                    where=str(self.path),
                ) from None
            known = ", ".join(sorted(self.terms)) or "none"
            raise ClausewatchError(
                f"no terms type {terms_type!r} (declared: {known})", where=str(self.path)
            ) from None


# --- parsing with exhaustive problem collection -------------------------------------------


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, key: str, reason: str) -> None:
        self.problems.append(Problem(self.path, key, reason))

    def warn(self, key: str, reason: str) -> None:
        self.problems.append(Problem(self.path, key, reason, "warning"))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _css_ok(selector: str) -> str | None:
    from selectolax.lexbor import LexborHTMLParser

    try:
        LexborHTMLParser("<p></p>").css(selector)
    except Exception:
        return "is not a valid CSS selector"
    return None


def _parse_selector(value: Any, key: str, out: _Collector) -> Selector | None:
    if isinstance(value, str):
        if not value.strip():
            out.error(key, "empty selector")
            return None
        bad = _css_ok(value)
        if bad:
            out.error(key, f"{value!r} {bad}")
            return None
        return value
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(RANGE_KEYS))
        if unknown:
            out.error(key, f"unknown range selector key(s) {unknown}; expected {list(RANGE_KEYS)}")
        starts = [k for k in ("startBefore", "startAfter") if k in value]
        ends = [k for k in ("endBefore", "endAfter") if k in value]
        if len(starts) != 1 or len(ends) != 1:
            out.error(
                key,
                "a range selector needs exactly one of startBefore/startAfter and exactly one "
                f"of endBefore/endAfter (got {sorted(value)})",
            )
        ok = True
        for k in starts + ends:
            sel = value[k]
            if not isinstance(sel, str) or not sel.strip():
                out.error(f"{key}.{k}", "must be a non-empty CSS selector string")
                ok = False
            elif bad := _css_ok(sel):
                out.error(f"{key}.{k}", f"{sel!r} {bad}")
                ok = False
        if unknown or len(starts) != 1 or len(ends) != 1 or not ok:
            return None
        return RangeSelector(
            start_before=value.get("startBefore"),
            start_after=value.get("startAfter"),
            end_before=value.get("endBefore"),
            end_after=value.get("endAfter"),
        )
    out.error(
        key,
        f"must be a CSS selector, a range selector object or a list of them, not {type(value).__name__}",
    )
    return None


def _parse_selectors(value: Any, key: str, out: _Collector) -> tuple[Selector, ...]:
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        out.error(key, "empty list of selectors")
    parsed = (
        _parse_selector(v, f"{key}[{i}]" if isinstance(value, list) else key, out)
        for i, v in enumerate(items)
    )
    return tuple(s for s in parsed if s is not None)


def _parse_filters(
    value: Any, key: str, out: _Collector, filters_file: Path | None
) -> tuple[str, ...]:
    if not isinstance(value, list):
        out.error(key, f"must be a list of filter names, not {type(value).__name__}")
        return ()
    names: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item:
            names.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            names.append(next(iter(item)))
        else:
            out.error(f"{key}[{i}]", "must be a filter name (string) or {name: params}")
    if names and filters_file is None:
        out.error(
            key,
            f"references filter(s) {names} but no {Path(out.path).name.removesuffix('.json').removesuffix('.history')}"
            ".filters.js sits next to the declaration; extraction of this terms type cannot "
            "match OTA without them",
        )
    return tuple(names)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > 8


def _parse_source(
    body: Mapping[str, Any],
    defaults: Mapping[str, Any],
    key: str,
    out: _Collector,
    filters_file: Path | None,
) -> SourceDocument | None:
    merged = {**defaults, **body}
    location = merged.get("fetch")
    if location is None:
        out.error(f"{key}.fetch", "missing: every source document needs a fetch URL")
    elif not _is_url(location):
        out.error(f"{key}.fetch", f"{location!r} is not an http(s) URL")
    select = _parse_selectors(merged["select"], f"{key}.select", out) if "select" in merged else ()
    remove = _parse_selectors(merged["remove"], f"{key}.remove", out) if "remove" in merged else ()
    filters = (
        _parse_filters(merged["filter"], f"{key}.filter", out, filters_file)
        if "filter" in merged
        else ()
    )
    scripts = merged.get("executeClientScripts", False)
    if not isinstance(scripts, bool):
        out.error(f"{key}.executeClientScripts", f"must be true or false, not {scripts!r}")
        scripts = False
    if not _is_url(location):
        return None
    return SourceDocument(str(location), select, remove, filters, scripts)


def parse_terms(
    service: str,
    terms_type: str,
    body: Any,
    key: str,
    out: _Collector,
    filters_file: Path | None = None,
    valid_until: datetime | None = None,
) -> TermsDeclaration | None:
    if not isinstance(body, dict):
        out.error(key, f"must be an object, not {type(body).__name__}")
        return None
    unknown = sorted(set(body) - set(TERMS_KEYS) - {"validUntil"})
    if unknown:
        out.error(key, f"unknown key(s) {unknown}; expected some of {list(TERMS_KEYS)}")
    if "combine" in body:
        combine = body["combine"]
        if not isinstance(combine, list) or not combine:
            out.error(f"{key}.combine", "must be a non-empty list of source documents")
            return None
        defaults = {k: v for k, v in body.items() if k in SOURCE_KEYS}
        sources: list[SourceDocument] = []
        for i, part in enumerate(combine):
            if not isinstance(part, dict):
                out.error(f"{key}.combine[{i}]", "must be an object with at least fetch")
                continue
            extra = sorted(set(part) - set(SOURCE_KEYS))
            if extra:
                out.error(f"{key}.combine[{i}]", f"unknown key(s) {extra}")
            src = _parse_source(part, defaults, f"{key}.combine[{i}]", out, filters_file)
            if src:
                sources.append(src)
        if len(sources) != len(combine):
            return None
    else:
        src = _parse_source(body, {}, key, out, filters_file)
        if src is None:
            return None
        sources = [src]
    raw = {k: v for k, v in body.items() if k != "validUntil"}
    return TermsDeclaration(service, terms_type, tuple(sources), raw, valid_until)


def _read_json(path: Path, out: _Collector) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        out.error("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except OSError as exc:
        out.error("", f"cannot read: {exc.strerror}")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        out.error("", f"invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return None


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _service_id(path: Path) -> str:
    return path.name.removesuffix(".json").removesuffix(".history")


def load_service(path: Path, *, strict: bool = True) -> ServiceDeclaration:
    """Parse ``<Service>.json`` and its history; every problem is collected, not just the first.

    With ``strict`` a file with any error raises :class:`DeclarationError`; otherwise the
    usable terms types are returned and the problems are kept on the result.
    """
    path = Path(path)
    out = _Collector(str(path))
    service_id = _service_id(path)
    filters_file = path.with_name(f"{service_id}.filters.js")
    filters = filters_file if filters_file.exists() else None
    data = _read_json(path, out)
    terms: dict[str, TermsDeclaration] = {}
    name = service_id
    if data is not None and not isinstance(data, dict):
        out.error("", f"top level must be an object, not {type(data).__name__}")
    elif isinstance(data, dict):
        unknown = sorted(set(data) - set(SERVICE_KEYS))
        if unknown:
            out.warn("", f"unknown key(s) {unknown}")
        raw_name = data.get("name")
        if not isinstance(raw_name, str) or not raw_name.strip():
            out.error("name", "missing or empty: the service's display name is required")
        else:
            name = raw_name.strip()
        raw_terms = data.get("terms")
        if not isinstance(raw_terms, dict) or not raw_terms:
            out.error("terms", "missing or empty: at least one terms type must be declared")
        else:
            for terms_type, body in raw_terms.items():
                parsed = parse_terms(name, terms_type, body, f"terms.{terms_type}", out, filters)
                if parsed:
                    terms[terms_type] = parsed
    history = _load_history(path.with_name(f"{service_id}.history.json"), name, filters, out)
    if strict and out.failed:
        raise DeclarationError([p for p in out.problems if p.severity == "error"])
    return ServiceDeclaration(service_id, name, path, terms, history, tuple(out.problems))


def _load_history(
    path: Path, name: str, filters: Path | None, service_out: _Collector
) -> dict[str, tuple[TermsDeclaration, ...]]:
    if not path.exists():
        return {}
    out = _Collector(str(path))
    data = _read_json(path, out)
    history: dict[str, tuple[TermsDeclaration, ...]] = {}
    if data is not None and not isinstance(data, dict):
        out.error("", "top level must be an object mapping terms types to lists of entries")
    elif isinstance(data, dict):
        for terms_type, entries in data.items():
            if not isinstance(entries, list):
                out.error(terms_type, "must be a list of earlier declarations")
                continue
            parsed: list[TermsDeclaration] = []
            for i, entry in enumerate(entries):
                key = f"{terms_type}[{i}]"
                until = parse_date(entry.get("validUntil")) if isinstance(entry, dict) else None
                if isinstance(entry, dict) and until is None:
                    out.error(
                        f"{key}.validUntil",
                        f"missing or not an ISO 8601 date: {entry.get('validUntil')!r}",
                    )
                    continue
                item = parse_terms(name, terms_type, entry, key, out, filters, until)
                if item:
                    parsed.append(item)
            history[terms_type] = tuple(
                sorted(parsed, key=lambda t: t.valid_until or datetime.max.replace(tzinfo=UTC))
            )
    service_out.problems.extend(out.problems)
    return history


def iter_declaration_files(directory: Path) -> Iterator[Path]:
    """Every ``<Service>.json`` of a folder (history and filter files ride along)."""
    for path in sorted(Path(directory).glob("*.json")):
        if not path.name.endswith(".history.json"):
            yield path


def validate_directory(directory: Path) -> tuple[list[ServiceDeclaration], list[Problem]]:
    """Load every declaration of a folder, never stopping at the first broken file."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ClausewatchError("not a folder of declarations", where=str(directory))
    services: list[ServiceDeclaration] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in iter_declaration_files(directory):
        seen.add(_service_id(path))
        service = load_service(path, strict=False)
        services.append(service)
        problems.extend(service.problems)
    for orphan in sorted(directory.glob("*.history.json")):
        if _service_id(orphan) not in seen:
            problems.append(
                Problem(
                    str(orphan), "", f"history file without {_service_id(orphan)}.json", "warning"
                )
            )
    return services, problems


def terms_from_body(
    service: str, terms_type: str, body: Mapping[str, Any], *, where: str = "declaration"
) -> TermsDeclaration:
    """A stored declaration body (a document's current terms entry) as a TermsDeclaration."""
    out = _Collector(where)
    parsed = parse_terms(service, terms_type, dict(body), f"terms.{terms_type}", out)
    errors = [p for p in out.problems if p.severity == "error" and "filters.js" not in p.reason]
    if errors or parsed is None:
        raise DeclarationError(errors or [Problem(where, terms_type, "unusable declaration")])
    return parsed
