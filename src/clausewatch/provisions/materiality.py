"""How much a provision change matters: cosmetic, substantive or rights-affecting.

Explicit rules, so that every verdict carries a reason a reader can check: a change is cosmetic
when, after masking dates, version stamps and cross-reference numbers, only whitespace,
punctuation, case, articles or typo-level spellings differ; it is rights-affecting when it
moves a cue that carries an obligation, right or permission (modal verbs, "even if", "without
notice", arbitration, waivers, opt-outs, notice periods, amounts...); otherwise substantive.
A classifier, when given, adds its labels on top of these rules (see ``diff.py``).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from clausewatch.provisions.align import normalize

__all__ = [
    "LEVELS",
    "Assessment",
    "assess_modification",
    "assess_presence",
    "highest",
]

#: Materiality levels in increasing order; "none" is a version with no provision change.
LEVELS = ("none", "cosmetic", "substantive", "rights_affecting")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b"
)
_STAMP = re.compile(
    r"\b(?:last\s+(?:updated|modified|revised)|effective(?:\s+date)?|updated|revised|"
    r"version|v)\s*[:.]?\s*(?:<date>|\d+(?:\.\d+)*)"
)
_REF = re.compile(r"\b(section|clause|article|paragraph|§|sections|clauses|articles)\s+[\d.]+\w?")
_TOKEN = re.compile(r"<\w+>|\w+")
_ARTICLES = frozenset({"a", "an", "the"})

#: Words whose change is never typo-level: they carry the obligation or its scope.
_PROTECTED = frozenset(
    {"may", "must", "shall", "will", "can", "cannot", "not", "no", "never", "only", "all"}
    | {"any", "each", "none", "without", "within", "unless", "except", "even", "if"}
    | {"should", "would", "could", "might", "agree", "agrees", "waive", "waives"}
)

#: Cues of an obligation, right or permission; moving one of these changes who may do what.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("may", r"\bmay\b"),
        ("may not", r"\bmay not\b"),
        ("must", r"\bmust\b"),
        ("shall", r"\bshall\b"),
        ("will not", r"\bwill not\b|\bwon't\b"),
        ("cannot", r"\bcannot\b|\bcan't\b|\bcan not\b"),
        ("not", r"\bnot\b|n't\b"),
        ("no", r"\bno\b"),
        ("never", r"\bnever\b"),
        ("only", r"\bonly\b"),
        ("unless", r"\bunless\b"),
        ("except", r"\bexcept\b"),
        ("even if", r"\beven if\b"),
        ("without notice", r"\bwithout (?:any )?(?:prior |advance )?notice\b"),
        ("at any time", r"\bat any time\b"),
        ("sole discretion", r"\b(?:sole|absolute) discretion\b"),
        ("arbitration", r"\barbitra\w*"),
        ("class action", r"\bclass(?:-wide)? (?:action|arbitration|member|basis)\w*"),
        ("jury", r"\bjury\b"),
        ("waiver", r"\bwaive\w*"),
        ("opt-out", r"\bopt[- ]?out\w*"),
        ("consent", r"\bconsent\w*"),
        ("terminate", r"\bterminat\w*"),
        ("suspend", r"\bsuspen\w*"),
        ("refund", r"\brefund\w*"),
        ("liability", r"\bliab\w*"),
        ("indemnify", r"\bindemn\w*"),
        ("licence", r"\blicen[cs]\w*"),
        ("irrevocable", r"\birrevocabl\w*|\bperpetual\b"),
        ("sell", r"\bsell\w*|\bsale of\b"),
        ("share", r"\bshar(?:e|es|ed|ing)\b|\bdisclos\w*"),
        ("third party", r"\bthird[- ]part\w*"),
        ("retain", r"\bretain\w*|\bretention\b"),
        ("delete", r"\bdelet\w*|\berase\w*"),
        ("auto-renewal", r"\bauto(?:matic(?:ally)?)?[- ]?renew\w*"),
        ("fee", r"\bfees?\b|\bcharges?\b|\bprices?\b"),
        ("train", r"\btrain(?:ing)?\b"),
    )
)
#: Cues strong enough that a provision holding one is rights-affecting when added or removed
#: even when a classifier is present and finds nothing.
_STRONG = frozenset(
    {
        "even if",
        "without notice",
        "sole discretion",
        "arbitration",
        "class action",
        "jury",
        "waiver",
        "opt-out",
        "indemnify",
        "irrevocable",
        "auto-renewal",
        "sell",
    }
)
_OBLIGATION = re.compile(
    r"\b(?:you|user|users|we|us|our|member|members|customer|customers)\b[^.;:]{0,40}?"
    r"\b(?:must|shall|may|will|agree|agrees|are required|are responsible|cannot|can't|"
    r"reserve|reserves|waive|grant|grants|are entitled|have the right|can)\b"
)
_PERIOD = re.compile(
    r"\b(\d+)\s*(?:\(\w+\)\s*)?(business days?|calendar days?|days?|weeks?|months?|years?|hours?)\b"
)
_AMOUNT = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*|\d[\d,.]*\s?(?:%|percent|usd|eur|gbp|dollars?|euros?))"
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
#: A clause number at the very start ("A.1.", "I.2.c.", "4.3", "12.", "(b)", "iv)"): adding,
#: removing or changing it is renumbering, never a change of meaning.
_LEADING_LABEL = re.compile(
    r"^\s*(?:"
    r"(?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\.(?:[a-z0-9]{1,3}\.?)*"
    r"|\d{1,3}(?:\.\d{1,3})+\.?"
    r"|\(?(?:[a-z]|[ivx]{1,5}|\d{1,3})\)"
    r")\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Assessment:
    """A materiality level and the reasons behind it, in words a reader can check."""

    materiality: str
    reasons: tuple[str, ...] = ()


def highest(levels: list[str] | tuple[str, ...]) -> str:
    """The most serious of ``levels`` ("none" when empty)."""
    return max(levels, key=LEVELS.index, default="none")


def _mask(text: str) -> str:
    masked = _DATE.sub(" <date> ", _LEADING_LABEL.sub("", normalize(text), count=1))
    masked = _STAMP.sub(" <stamp> ", masked)
    return _REF.sub(r"\1 <ref>", masked)


def _tokens(masked: str) -> list[str]:
    return _TOKEN.findall(masked)


def _typo_level(a: str, b: str) -> bool:
    if a in _PROTECTED or b in _PROTECTED:
        return False
    if not (a.isalpha() and b.isalpha()) or min(len(a), len(b)) < 4:
        return False
    return Levenshtein.distance(a, b) <= (1 if min(len(a), len(b)) < 6 else 2)


def _cosmetic_only(old_tokens: list[str], new_tokens: list[str]) -> tuple[bool, set[str]]:
    """Whether the token difference is typo-level only, and which cosmetic kinds it holds."""
    kinds: set[str] = set()
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, inserted = old_tokens[a0:a1], new_tokens[b0:b1]
        if "".join(removed) == "".join(inserted):
            kinds.add("spacing")
            continue
        if all(t in _ARTICLES for t in removed + inserted):
            kinds.add("articles")
            continue
        same_length = op == "replace" and len(removed) == len(inserted)
        if same_length and all(map(_typo_level, removed, inserted)):
            kinds.add("typo")
            continue
        return False, kinds
    return True, kinds


def _cue_counts(masked: str) -> Counter[str]:
    return Counter({name: len(p.findall(masked)) for name, p in _CUES if p.search(masked)})


def _periods(masked: str) -> list[tuple[int, str]]:
    return [(int(n), unit.rstrip("s")) for n, unit in _PERIOD.findall(masked)]


def _numbers(masked: str) -> Counter[str]:
    return Counter(_NUMBER.findall(masked))


def assess_modification(old: str, new: str) -> Assessment:
    """Materiality of a provision whose text went from ``old`` to ``new``."""
    old_masked, new_masked = _mask(old), _mask(new)
    old_tokens, new_tokens = _tokens(old_masked), _tokens(new_masked)
    if old_tokens == new_tokens:
        why: list[str] = []
        raw_old, raw_new = _TOKEN.findall(normalize(old)), _TOKEN.findall(normalize(new))
        if raw_old != raw_new:
            why.append("only dates, version stamps or clause numbers changed")
        elif normalize(old) != normalize(new):
            why.append("only punctuation or capitalisation changed")
        else:
            why.append("only formatting changed")
        return Assessment("cosmetic", tuple(why))
    cosmetic, kinds = _cosmetic_only(old_tokens, new_tokens)
    if cosmetic:
        names = {"typo": "typo-level spelling", "spacing": "word spacing", "articles": "articles"}
        return Assessment(
            "cosmetic", (f"only {', '.join(names[k] for k in sorted(kinds))} changed",)
        )

    reasons: list[str] = []
    old_periods, new_periods = _periods(old_masked), _periods(new_masked)
    if Counter(old_periods) != Counter(new_periods):
        gone = [p for p in old_periods if p not in new_periods]
        came = [p for p in new_periods if p not in old_periods]
        if gone and came and gone[0][1] == came[0][1]:
            trend = "shortened" if came[0][0] < gone[0][0] else "lengthened"
            unit = came[0][1]
            reasons.append(f"period {trend} from {gone[0][0]} to {came[0][0]} {unit}s")
        elif came:
            reasons.append(f"new period of {came[0][0]} {came[0][1]}s")
        else:
            reasons.append(f"period of {gone[0][0]} {gone[0][1]}s removed")
    old_amounts, new_amounts = _AMOUNT.findall(old_masked), _AMOUNT.findall(new_masked)
    if Counter(old_amounts) != Counter(new_amounts):
        reasons.append(
            f"amount changed ({', '.join(old_amounts) or 'none'} → {', '.join(new_amounts) or 'none'})"
        )
    old_cues, new_cues = _cue_counts(old_masked), _cue_counts(new_masked)
    for name, _ in _CUES:
        if new_cues[name] > old_cues[name]:
            reasons.append(f'adds "{name}"')
        elif new_cues[name] < old_cues[name]:
            reasons.append(f'removes "{name}"')
    if reasons:
        return Assessment("rights_affecting", tuple(reasons))
    if _numbers(old_masked) != _numbers(new_masked):
        return Assessment("substantive", ("numbers changed",))
    return Assessment("substantive", ("wording changed",))


def assess_presence(text: str, *, added: bool, strong_only: bool = False) -> Assessment:
    """Materiality of a provision that appeared (``added``) or disappeared.

    With ``strong_only`` (a classifier is deciding the rest) only unmistakable cues count.
    """
    masked = _mask(text)
    words = [t for t in _tokens(masked) if not t.startswith("<")]
    verb = "adds" if added else "removes"
    if len(words) < 2 and not any(c.isalpha() for c in "".join(words)):
        return Assessment("cosmetic", (f"{verb} only a date, a number or a stamp",))
    cues = [name for name, pattern in _CUES if pattern.search(masked)]
    strong = [c for c in cues if c in _STRONG]
    if strong:
        listed = ", ".join(f'"{c}"' for c in strong)
        return Assessment("rights_affecting", (f"{verb} a provision about {listed}",))
    if not strong_only:
        if _OBLIGATION.search(masked):
            return Assessment("rights_affecting", (f"{verb} an obligation, right or permission",))
        if _PERIOD.search(masked) or _AMOUNT.search(masked):
            return Assessment("rights_affecting", (f"{verb} a period or an amount",))
    return Assessment("substantive", (f"{verb} a provision",))
