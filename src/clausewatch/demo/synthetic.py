"""Generated legal pages for throughput benchmarks: many distinct documents, no files on disk.

Page ``i`` at revision ``r`` is a pure function of ``(i, r)``, 5–20 KB of HTML with the same
chrome-around-article shape as the hand-written demo pages. What changes between revisions is
fixed so a benchmark can check the pipeline's verdicts, not only its speed:

- r2: markup noise only, on every page (banner, asset hash, whitespace): no new version;
- r3: one clause reworded on even ``i`` (substantive); noise only on odd ``i``;
- r4: a binding arbitration clause added on ``i`` divisible by 4 (rights-affecting); noise
  only elsewhere.
"""

from __future__ import annotations

import hashlib
import html
import random
from datetime import UTC, datetime, timedelta

SELECT = ("article.legal",)
REMOVE = (".legal-tools",)
BASE_DATE = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

_PREFIXES = ("Nor", "Vel", "Cas", "Tam", "Bri", "Ost", "Quen", "Lav", "Mer", "Sol", "Dar", "Fen")
_SUFFIXES = ("vex", "ora", "lin", "quay", "dell", "mont", "ara", "wick", "ton", "ify", "io")

_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Acceptance of these Terms",
        (
            "By accessing or using the {svc} service you agree to be bound by these Terms. If "
            "you do not agree, you may not use the service.",
            "If you use the service on behalf of an organization, you accept these Terms for "
            "that organization and confirm that you have authority to do so.",
        ),
    ),
    (
        "Eligibility",
        (
            "You must be at least {age} years old to use the service. Users under 18 need the "
            "permission of a parent or guardian.",
            "We may ask you to confirm your age or identity before you can use certain features.",
        ),
    ),
    (
        "Your account",
        (
            "You are responsible for keeping your password confidential and for all activity "
            "under your account.",
            "Tell us at security@{host} within {days} days if you suspect unauthorized access "
            "to your account.",
        ),
    ),
    (
        "Your content",
        (
            "You keep ownership of the content you submit. You grant {svc} a worldwide, "
            "non-exclusive, royalty-free license to host and display it to provide the service.",
            "You are responsible for your content and confirm that you have the rights needed to "
            "share it.",
        ),
    ),
    (
        "Fees and renewal",
        (
            "Paid plans renew automatically every {months} months unless you cancel before the "
            "renewal date.",
            "You may request a refund within {days} days of your first payment.",
        ),
    ),
    (
        "Privacy",
        (
            "Our privacy policy explains how we collect and use personal information. We keep "
            "account data for {months} months after you close your account.",
            "We do not sell your personal information to third parties.",
        ),
    ),
    (
        "Acceptable use",
        (
            "You may not use the service to break the law, to harass others, to distribute "
            "malware or to access the service by automated means without our permission.",
            "We may remove content that violates these rules.",
        ),
    ),
    (
        "Termination",
        (
            "You may close your account at any time. We may suspend or terminate your access "
            "if you materially breach these Terms, after giving you {days} days' notice where "
            "reasonably possible.",
        ),
    ),
    (
        "Disclaimers",
        (
            "THE SERVICE IS PROVIDED AS IS AND AS AVAILABLE, WITHOUT WARRANTIES OF ANY KIND, TO "
            "THE EXTENT PERMITTED BY LAW.",
        ),
    ),
    (
        "Limitation of liability",
        (
            "OUR TOTAL LIABILITY WILL NOT EXCEED THE AMOUNT YOU PAID US IN THE {months} MONTHS "
            "BEFORE THE CLAIM, OR US ${cap}, WHICHEVER IS GREATER.",
        ),
    ),
    (
        "Governing law",
        (
            "These Terms are governed by the laws of {law}. The courts of {law} have exclusive "
            "jurisdiction over any dispute.",
        ),
    ),
    (
        "Changes to these Terms",
        (
            "We will notify you at least {days} days before material changes to these Terms "
            "take effect.",
        ),
    ),
)
_LAWS = ("the State of New York", "England and Wales", "Ireland", "the State of Delaware")
_REWORDED = (
    "We may suspend or terminate your access if you breach these Terms or if we believe your "
    "use of the service creates a risk for other users. We will tell you why, unless the law "
    "prevents us."
)
_ARBITRATION = (
    "Binding arbitration",
    (
        "Any dispute between you and {svc} will be resolved by binding individual arbitration, "
        "and you waive any right to a jury trial or to take part in a class action.",
        "You may opt out of arbitration within 30 days of accepting these Terms by emailing "
        "legal@{host}.",
    ),
)


def synthetic_name(i: int) -> str:
    return f"{_PREFIXES[i % len(_PREFIXES)]}{_SUFFIXES[(i // 7) % len(_SUFFIXES)]} {i:04d}"


def synthetic_path(i: int) -> str:
    return f"/synthetic/{i}"


def synthetic_date(i: int, revision: int) -> datetime:
    return BASE_DATE + timedelta(days=91 * (revision - 1), minutes=i % 1440)


def synthetic_expected(i: int, revision: int) -> str:
    """The verdict the pipeline should reach for page ``i`` at ``revision`` (see module doc)."""
    if revision == 1:
        return "initial"
    if revision == 3 and i % 2 == 0:
        return "substantive"
    if revision == 4 and i % 4 == 0:
        return "rights-affecting"
    return "no-change"


def _sections(i: int, revision: int) -> list[tuple[str, list[str]]]:
    rng = random.Random(i)
    name = synthetic_name(i)
    values = {
        "svc": name,
        "host": name.split()[0].lower() + ".example",
        "age": rng.choice((13, 16, 18)),
        "days": rng.choice((7, 14, 30)),
        "months": rng.choice((1, 6, 12)),
        "cap": rng.choice((50, 100, 500)),
        "law": rng.choice(_LAWS),
    }
    chosen = list(_SECTIONS)
    rng.shuffle(chosen)
    chosen = chosen[: rng.randint(7, len(chosen))]
    out: list[tuple[str, list[str]]] = []
    for title, paragraphs in chosen:
        body = [p.format(**values) for p in paragraphs]
        if title == "Termination" and revision >= 3 and i % 2 == 0:
            body = [_REWORDED]
        out.append((title, body))
    # Filler clauses make each page distinct in length as well as content.
    for k in range(rng.randint(14, 60)):
        out.append(
            (
                f"Additional provision {k + 1}",
                [
                    f"{name} clause {i}-{k}: the parties agree that schedule {rng.randint(1, 99)} "
                    f"applies to service tier {rng.choice('ABCDEFG')} and that notices under it are "
                    f"sent to the address registered in the account within {rng.randint(2, 60)} days."
                ],
            )
        )
    if revision >= 4 and i % 4 == 0:
        title, paragraphs = _ARBITRATION
        out.append((title, [p.format(**values) for p in paragraphs]))
    return out


def synthetic_page(i: int, revision: int) -> bytes:
    """The HTML of page ``i`` at ``revision``; deterministic, so ETags are stable."""
    name = html.escape(synthetic_name(i))
    noise = hashlib.sha256(f"{i}:{revision}".encode()).hexdigest()
    sep = "\n" if revision % 2 else "\n\n  "
    parts: list[str] = []
    for n, (title, paragraphs) in enumerate(_sections(i, revision), start=1):
        parts.append(f"<h2>{n}. {html.escape(title)}</h2>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    updated = synthetic_date(i, _last_change(i, revision))
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Terms of Service | {name}</title>
<link rel="stylesheet" href="/static/site.{noise[:8]}.css"></head>
<body>
<header><nav><a href="/?utm_campaign={noise[8:14]}">{name}</a> <a href="/pricing">Pricing</a></nav></header>
<div class="cookies">We use cookies ({noise[14:20]}). <button>Accept</button></div>
<main><article class="legal">
<div class="legal-tools">Viewed {int(noise[20:24], 16)} times · <a href="?share={noise[24:30]}">Share</a></div>
<h1>Terms of Service</h1>
<p>Last updated: {updated:%B} {updated.day}, {updated.year}</p>
{sep.join(parts)}
</article></main>
<footer>© {name} · build {noise[30:38]}</footer>
</body>
</html>
""".encode()


def _last_change(i: int, revision: int) -> int:
    """The revision whose wording page ``i`` still has at ``revision``."""
    for r in range(revision, 1, -1):
        if synthetic_expected(i, r) != "no-change":
            return r
    return 1
