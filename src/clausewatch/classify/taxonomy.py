"""The provision taxonomy, loaded from YAML in ``analysis/knowledge``.

Types live in YAML rather than code so that lawyers and analysts can review and extend them
without touching Python; this module only validates them and compiles their regexes once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from clausewatch.errors import ClausewatchError

SEVERITIES: tuple[str, ...] = ("low", "medium", "high")
ENGLISH_NEGATION = re.compile(r"\b(not|never|no|won t|don t|doesn t|cannot)\s(\w+\s){0,3}$")
"""Matched on the normalised words just before a cue: "will not train models" does not state
the practice its cue names."""
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


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
    yields_to: tuple[str, ...] = ()
    """Types whose cue words this type's cues must not be found inside: "terminate your
    account" within "you may terminate your account" is the user's right to leave, not the
    provider's power to end accounts."""
    follow_after: tuple[re.Pattern[str], ...] = ()
    """A sentence these words match lets a later sentence of the same provision state this
    type with ``follow_cues`` alone: "We may change these Terms at any time. We will notify
    you 30 days before the changes take effect" states the notice in its second sentence,
    whose words say nothing of what changes."""
    follow_cues: tuple[re.Pattern[str], ...] = ()
    gives_way_to: tuple[str, ...] = ()
    """Types that, stated in the same provision, undo this type's claim: "We may modify
    these Terms from time to time" is no change without notice when the provision goes on
    to promise one. The claim stands when its sentence matches ``stands_when`` ("without
    notice" said outright)."""
    stands_when: tuple[re.Pattern[str], ...] = ()

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
            "yields_to": list(self.yields_to),
            "follow_after": [p.pattern for p in self.follow_after],
            "follow_cues": [p.pattern for p in self.follow_cues],
            "gives_way_to": list(self.gives_way_to),
            "stands_when": [p.pattern for p in self.stands_when],
        }


@dataclass(frozen=True)
class LanguageCues:
    """The cue phrases and severity conditions of one language other than English, from
    ``analysis/knowledge/cues/<language>.yaml``. Types it does not name get no cues in that
    language: the learned heads still infer them, only never as explicit wording."""

    language: str
    negation: re.Pattern[str]
    patterns: dict[str, dict[str, tuple[re.Pattern[str], ...]]]
    """Type id -> ``ProvisionType`` field (``cues``, ``raise_when``, ...) -> its patterns in
    this language; a field the file leaves out has none."""


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, str]
    types: tuple[ProvisionType, ...]
    language: str = "en"
    """The language the types' cues and modifiers are written in."""
    negation: re.Pattern[str] = ENGLISH_NEGATION
    translations: dict[str, LanguageCues] = field(default_factory=dict)
    """Cue sets of other languages, keyed by language code; see ``for_language``."""
    _views: dict[str, Taxonomy] = field(default_factory=dict, compare=False, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language with cue phrases: the base language first."""
        return (self.language, *sorted(self.translations))

    def for_language(self, language: str) -> Taxonomy:
        """The same types with the cues and modifiers of ``language``. A language without a
        cue file gets no cues at all: English phrases on French text would only ever match
        by accident (a shared word), and an explicit claim must be the document's words."""
        if language == self.language:
            return self
        view = self._views.get(language)
        if view is None:
            found = self.translations.get(language)
            written = found.patterns if found else {}

            def in_language(t: ProvisionType) -> ProvisionType:
                own: dict[str, Any] = {
                    name: written.get(t.id, {}).get(name, ()) for name in _LANGUAGE_KEYS.values()
                }
                return dataclasses.replace(t, **own)

            types = tuple(in_language(t) for t in self.types)
            view = Taxonomy(
                categories=self.categories,
                types=types,
                language=language,
                negation=found.negation if found else self.negation,
            )
            self._views[language] = view
        return view

    def by_id(self) -> dict[str, ProvisionType]:
        return {t.id: t for t in self.types}

    @cached_property
    def yielding(self) -> dict[str, tuple[ProvisionType, ...]]:
        """Type id -> the types (of this language's view) it ``yields_to``; only types
        that yield are keys. Computed once per taxonomy: the cue scan asks for every text."""
        by_id = self.by_id()
        return {t.id: tuple(by_id[o] for o in t.yields_to) for t in self.types if t.yields_to}

    @cached_property
    def followers(self) -> tuple[ProvisionType, ...]:
        """The types a later sentence may state (``follow_after`` and ``follow_cues``)."""
        return tuple(t for t in self.types if t.follow_cues)

    @cached_property
    def giving_way(self) -> dict[str, ProvisionType]:
        """Type id -> type, for the types whose claims may give way to another's."""
        return {t.id: t for t in self.types if t.gives_way_to}

    def by_tosdr_case(self) -> dict[str, str]:
        """Exact ToS;DR case title (stripped) -> type id."""
        return {case.strip(): t.id for t in self.types for case in t.tosdr}

    def cue_digest(self) -> str:
        """A hash of every type's cue patterns, in order. A model learns one feature column per
        type from these cues, so a model trained under another digest reads its cue columns
        with patterns it never saw."""
        digest = hashlib.sha256()
        digest.update(f"{self.language}\0{self.negation.pattern}\n".encode())
        for t in self.types:
            digest.update(t.id.encode())
            for pattern in t.cues:
                digest.update(b"\0" + pattern.pattern.encode())
            if t.yields_to:
                digest.update(b"\0yields_to\0" + ",".join(t.yields_to).encode())
            digest.update(b"\n")
        return digest.hexdigest()[:16]

    def reading_digest(self) -> str:
        """A hash of the rules read after the cues, on the result only (``follow_after``,
        ``follow_cues``, ``gives_way_to`` and ``stands_when``). No model feature sees them, so
        they are not in ``cue_digest``; a classifier's id carries them instead, so that
        stored results of other rules are read again. Empty when there are none."""
        ruled = [t for t in self.types if t.follow_cues or t.gives_way_to]
        if not ruled:
            return ""
        digest = hashlib.sha256()
        for t in ruled:
            digest.update(t.id.encode())
            for name, values in (
                ("follow_after", tuple(p.pattern for p in t.follow_after)),
                ("follow_cues", tuple(p.pattern for p in t.follow_cues)),
                ("gives_way_to", t.gives_way_to),
                ("stands_when", tuple(p.pattern for p in t.stands_when)),
            ):
                digest.update(f"\0{name}\0".encode() + "\0".join(values).encode())
            digest.update(b"\n")
        return digest.hexdigest()[:16]


_FRAGMENT = re.compile(r"\{\{([^{}]*)\}\}")


def _fragments(raw: Any, where: str) -> dict[str, str]:
    """A file's named pieces of regular expression (``fragments:``), each written once and
    pasted, as written, wherever a pattern says ``{{name}}``: a list of document nouns that
    several types' cues need stays one list."""
    found = raw.get("fragments") if isinstance(raw, dict) else None
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise TaxonomyError("'fragments' must map names to regular expressions", where=where)
    out = {}
    for name, text in found.items():
        here = f"{where}: fragments: {name}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise TaxonomyError("a fragment name is lower case letters, digits and _", where=here)
        if not isinstance(text, str) or _FRAGMENT.search(text):
            raise TaxonomyError("a fragment is one regular expression with no {{...}}", where=here)
        try:
            re.compile(text)
        except re.error as exc:
            raise TaxonomyError(f"bad regular expression {text!r}: {exc}", where=here) from exc
        out[name] = text
    return out


def _expand(pattern: str, fragments: dict[str, str], where: str) -> str:
    def paste(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            known = ", ".join(sorted(fragments)) or "none"
            raise TaxonomyError(
                f"unknown fragment {{{{{name}}}}} in {pattern!r} (fragments: {known})",
                where=where,
            )
        return fragments[name]

    return _FRAGMENT.sub(paste, pattern)


def _compile(
    patterns: Any, where: str, fragments: dict[str, str] | None = None
) -> tuple[re.Pattern[str], ...]:
    if patterns is None:
        return ()
    if not isinstance(patterns, list):
        raise TaxonomyError("expected a list of regular expressions", where=where)
    out = []
    for written in patterns:
        pattern = _expand(str(written), fragments or {}, where)
        try:
            compiled = re.compile(pattern)
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
    fragments = _fragments(raw, where)
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
                cues=_compile(item.get("cues"), here, fragments),
                raise_when=_compile(item.get("raise"), here, fragments),
                lower_when=_compile(item.get("lower"), here, fragments),
                claudette=_str_list(item.get("claudette"), here),
                tosdr=_str_list(item.get("tosdr"), here),
                yields_to=_str_list(item.get("yields_to"), here),
                follow_after=_compile(item.get("follow_after"), here, fragments),
                follow_cues=_compile(item.get("follow_cues"), here, fragments),
                gives_way_to=_str_list(item.get("gives_way_to"), here),
                stands_when=_compile(item.get("stands_when"), here, fragments),
            )
        )
    for provision_type in types:
        here = f"{where}: {provision_type.id}"
        for key in ("yields_to", "gives_way_to"):
            for other in getattr(provision_type, key):
                if other not in seen or other == provision_type.id:
                    raise TaxonomyError(
                        f"{key} names {other!r}, which is not another type of this taxonomy",
                        where=here,
                    )
        _check_follow(provision_type.follow_after, provision_type.follow_cues, here)
        if provision_type.stands_when and not provision_type.gives_way_to:
            raise TaxonomyError(
                "'stands_when' needs 'gives_way_to': it says when a claim does not give way",
                where=here,
            )
    language = raw.get("language", "en")
    if not isinstance(language, str) or not _LANGUAGE_CODE.fullmatch(language):
        raise TaxonomyError(
            "'language' must be a lower-case ISO 639 code such as 'en'", where=where
        )
    negation = ENGLISH_NEGATION
    if "negation" in raw:
        if not isinstance(raw["negation"], str):
            raise TaxonomyError("'negation' must be one regular expression", where=where)
        negation = _compile([raw["negation"]], f"{where}: negation")[0]
    return Taxonomy(
        categories={str(k): str(v) for k, v in categories.items()},
        types=tuple(types),
        language=language,
        negation=negation,
    )


def _check_follow(
    after: tuple[re.Pattern[str], ...], cues: tuple[re.Pattern[str], ...], where: str
) -> None:
    if bool(after) != bool(cues):
        raise TaxonomyError(
            "'follow_after' and 'follow_cues' go together: the words of the earlier sentence "
            "and the words that state this type in a later one",
            where=where,
        )


_LANGUAGE_KEYS = {
    "cues": "cues",
    "raise": "raise_when",
    "lower": "lower_when",
    "follow_after": "follow_after",
    "follow_cues": "follow_cues",
    "stands_when": "stands_when",
}
"""The keys a language file may give a type -> the ``ProvisionType`` field they replace."""


def parse_language_cues(raw: Any, where: str, taxonomy: Taxonomy) -> LanguageCues:
    """One language's cue file, checked against the types of ``taxonomy``."""
    if not isinstance(raw, dict):
        raise TaxonomyError(
            "expected a mapping with 'language', 'negation' and 'types'", where=where
        )
    language = raw.get("language")
    if not isinstance(language, str) or not _LANGUAGE_CODE.fullmatch(language):
        raise TaxonomyError(
            "'language' must be a lower-case ISO 639 code such as 'de'", where=where
        )
    if language == taxonomy.language:
        raise TaxonomyError(
            f"{language!r} is the taxonomy's own language: its cues belong in the types",
            where=where,
        )
    if not isinstance(raw.get("negation"), str):
        raise TaxonomyError("'negation' must be one regular expression", where=where)
    negation = _compile([raw["negation"]], f"{where}: negation")[0]
    entries = raw.get("types")
    if not isinstance(entries, dict):
        raise TaxonomyError("'types' must map type ids to their cues", where=where)
    known = {t.id: t for t in taxonomy.types}
    fragments = _fragments(raw, where)
    patterns: dict[str, dict[str, tuple[re.Pattern[str], ...]]] = {}
    for type_id, entry in entries.items():
        here = f"{where}: {type_id}"
        if type_id not in known:
            raise TaxonomyError("no such type in the taxonomy", where=here)
        if not isinstance(entry, dict):
            raise TaxonomyError(
                f"expected a mapping with some of {sorted(_LANGUAGE_KEYS)}", where=here
            )
        unexpected = sorted(set(entry) - _LANGUAGE_KEYS.keys())
        if unexpected:
            raise TaxonomyError(f"unexpected keys {unexpected}", where=here)
        found = {
            name: _compile(entry.get(key), here, fragments) for key, name in _LANGUAGE_KEYS.items()
        }
        _check_follow(found["follow_after"], found["follow_cues"], here)
        if found["stands_when"] and not known[type_id].gives_way_to:
            raise TaxonomyError(
                "'stands_when' for a type without 'gives_way_to' in the taxonomy", where=here
            )
        patterns[type_id] = found
    return LanguageCues(language, negation, patterns)


def _read_yaml(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"bad YAML: {exc}", where=where) from exc


def _with_translations(taxonomy: Taxonomy, files: list[tuple[str, str, str]]) -> Taxonomy:
    """``taxonomy`` with the language files given as (file stem, text, where)."""
    translations = {}
    for stem, text, where in sorted(files):
        found = parse_language_cues(_read_yaml(text, where), where, taxonomy)
        if found.language != stem:
            raise TaxonomyError(
                f"file holds language {found.language!r}; name it {found.language}.yaml",
                where=where,
            )
        translations[found.language] = found
    return dataclasses.replace(taxonomy, translations=translations, _views={})


def load_taxonomy_file(path: Path, cue_dir: Path | None = None) -> Taxonomy:
    """A taxonomy file and the language cue files (``<language>.yaml``) in ``cue_dir``, by
    default the ``cues`` folder beside it when there is one."""
    try:
        raw = _read_yaml(path.read_text(encoding="utf-8"), str(path))
        taxonomy = parse_taxonomy(raw, str(path))
        folder = cue_dir if cue_dir is not None else path.parent / "cues"
        if cue_dir is not None and not folder.is_dir():
            raise TaxonomyError("no such folder of language cue files", where=str(folder))
        files = [
            (file.stem, file.read_text(encoding="utf-8"), str(file))
            for file in (sorted(folder.glob("*.yaml")) if folder.is_dir() else [])
        ]
    except OSError as exc:
        raise TaxonomyError(
            f"cannot read: {exc.strerror}", where=str(exc.filename or path)
        ) from exc
    return _with_translations(taxonomy, files)


@cache
def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy with its language cue files (cached: the regexes are compiled
    once per process)."""
    knowledge = resources.files("clausewatch").joinpath("analysis/knowledge")
    ref = knowledge.joinpath("provision_types.yaml")
    taxonomy = parse_taxonomy(
        _read_yaml(ref.read_text(encoding="utf-8"), str(ref)), "provision_types.yaml"
    )
    files = []
    cue_dir = knowledge.joinpath("cues")
    if cue_dir.is_dir():
        for file in sorted(cue_dir.iterdir(), key=lambda f: f.name):
            if file.name.endswith(".yaml"):
                stem = file.name.removesuffix(".yaml")
                files.append((stem, file.read_text(encoding="utf-8"), f"cues/{file.name}"))
    return _with_translations(taxonomy, files)
