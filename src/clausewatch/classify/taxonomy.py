"""The provision taxonomy, loaded from YAML in ``analysis/knowledge``.

Types live in YAML rather than code so that lawyers and analysts can review and extend them
without touching Python; this module only validates them and compiles their regexes once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from clausewatch.errors import ClausewatchError

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")


class TaxonomyError(ClausewatchError):
    """The taxonomy YAML is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class ProvisionType:
    id: str
    name: str
    category: str
    category_name: str
    definition: str
    severity: str
    cues: tuple[re.Pattern[str], ...]
    raise_when: tuple[re.Pattern[str], ...]
    lower_when: tuple[re.Pattern[str], ...]
    claudette: tuple[str, ...]
    tosdr: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "category_name": self.category_name,
            "definition": self.definition,
            "severity": self.severity,
            "modifiers": {
                "raise": [p.pattern for p in self.raise_when],
                "lower": [p.pattern for p in self.lower_when],
            },
            "cues": [p.pattern for p in self.cues],
            "claudette": list(self.claudette),
            "tosdr": list(self.tosdr),
        }


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, str]
    types: tuple[ProvisionType, ...]

    def by_id(self) -> dict[str, ProvisionType]:
        return {t.id: t for t in self.types}

    def by_tosdr_case(self) -> dict[str, str]:
        """Exact ToS;DR case title (stripped) -> type id."""
        return {case.strip(): t.id for t in self.types for case in t.tosdr}

    def cue_digest(self) -> str:
        """A hash of every type's cue patterns, in order. A model learns one feature column per
        type from these cues, so a model trained under another digest reads its cue columns
        with patterns it never saw."""
        digest = hashlib.sha256()
        for t in self.types:
            digest.update(t.id.encode())
            for pattern in t.cues:
                digest.update(b"\0" + pattern.pattern.encode())
            digest.update(b"\n")
        return digest.hexdigest()[:16]


def _compile(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if not isinstance(patterns, list):
        raise TaxonomyError("expected a list of regular expressions", where=where)
    out = []
    for pattern in patterns:
        try:
            compiled = re.compile(str(pattern))
        except re.error as exc:
            raise TaxonomyError(f"bad regular expression {pattern!r}: {exc}", where=where) from exc
        try:
            # A type's cues are joined into one alternation; a global flag such as "(?i)"
            # compiles alone but breaks the joined pattern, so it is refused here, on load.
            re.compile(f"(?:{pattern})|(?:x)")
        except re.error as exc:
            raise TaxonomyError(
                f"regular expression {pattern!r} cannot be combined with others ({exc}); "
                "use a scoped flag such as '(?i:...)' instead of a global one",
                where=where,
            ) from exc
        out.append(compiled)
    return tuple(out)


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TaxonomyError("expected a list of strings", where=where)
    return tuple(str(v) for v in value)


def parse_taxonomy(raw: Any, where: str) -> Taxonomy:
    if not isinstance(raw, dict) or not isinstance(raw.get("types"), list):
        raise TaxonomyError("expected a mapping with 'categories' and 'types'", where=where)
    categories = raw.get("categories")
    if not isinstance(categories, dict):
        raise TaxonomyError("'categories' must map ids to names", where=where)
    seen: set[str] = set()
    types = []
    for index, item in enumerate(raw["types"]):
        here = f"{where}: types[{index}]"
        if not isinstance(item, dict):
            raise TaxonomyError("a type must be a mapping", where=here)
        missing = [k for k in ("id", "name", "category", "definition", "severity") if k not in item]
        if missing:
            raise TaxonomyError(f"missing {', '.join(missing)}", where=here)
        type_id = str(item["id"])
        here = f"{where}: {type_id}"
        if type_id in seen:
            raise TaxonomyError("duplicate type id", where=here)
        seen.add(type_id)
        if item["category"] not in categories:
            raise TaxonomyError(f"unknown category {item['category']!r}", where=here)
        if item["severity"] not in SEVERITIES:
            raise TaxonomyError(f"severity must be one of {SEVERITIES}", where=here)
        types.append(
            ProvisionType(
                id=type_id,
                name=str(item["name"]),
                category=str(item["category"]),
                category_name=str(categories[item["category"]]),
                definition=str(item["definition"]),
                severity=str(item["severity"]),
                cues=_compile(item.get("cues"), here),
                raise_when=_compile(item.get("raise"), here),
                lower_when=_compile(item.get("lower"), here),
                claudette=_str_list(item.get("claudette"), here),
                tosdr=_str_list(item.get("tosdr"), here),
            )
        )
    return Taxonomy(categories={str(k): str(v) for k, v in categories.items()}, types=tuple(types))


def load_taxonomy_file(path: Path) -> Taxonomy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"bad YAML: {exc}", where=str(path)) from exc
    return parse_taxonomy(raw, str(path))


@cache
def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy (cached: its regexes are compiled once per process)."""
    ref = resources.files("clausewatch").joinpath("analysis/knowledge/provision_types.yaml")
    try:
        raw = yaml.safe_load(ref.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"bad YAML: {exc}", where=str(ref)) from exc
    return parse_taxonomy(raw, "provision_types.yaml")
