"""Each fictional platform's site around its legal text: header, cookie banner, footer.

Everything here changes from revision to revision (asset hashes, tracking parameters, banner
wording, nav order, counters) because real sites do; the declarations' ``select``/``remove``
must cut all of it away, so none of it may ever produce a new version. Links inside the legal
text never carry tracking parameters: the extraction keeps link targets byte for byte, as OTA
does, so a changed query string there is a (technical) new version, not noise.
"""

from __future__ import annotations

import html
from typing import Any

from clausewatch.demo.sources.legal import LegalSource, digest, long_date, render_blocks

Doc = dict[str, Any]

BANNERS = [
    "We use cookies to keep you signed in and to understand how our site is used.",
    "We and our partners use cookies to personalise content and measure performance.",
    "This site uses essential cookies and, with your consent, analytics cookies.",
    "Cookies help us run this site. Choose which ones you allow.",
]
CAMPAIGNS = ["winter_launch", "spring-refresh", "summer_25", "newyear26"]


def tracked(path: str, rev: int, source: str) -> str:
    if not path.startswith("/"):
        return path
    sep = "&" if "?" in path else "?"
    return f"{path}{sep}utm_source={source}&utm_medium=web&utm_campaign={CAMPAIGNS[rev - 1]}"


def plain(path: str) -> str:
    return path


def head(title: str, platform: Doc, rev: int, css: str) -> str:
    token = digest(platform["slug"], "csrf", rev)[:32]
    asset = digest(platform["slug"], "asset", rev)[:10]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{token}">
<title>{html.escape(title)} | {html.escape(platform["name"])}</title>
<link rel="stylesheet" href="/static/{css}.{asset}.css">
<script defer src="/static/app.{asset}.js"></script>
</head>"""


def nav_links(platform: Doc, rev: int, track: bool) -> str:
    links = [(d["title"], d["path"]) for d in platform["documents"]]
    links.append(("Help centre" if platform["slug"] == "parcelly" else "Help", "/help"))
    if rev % 2 == 0:
        links.reverse()
    return "\n".join(
        f'    <li><a href="{html.escape(tracked(p, rev, "nav") if track else p)}">'
        f"{html.escape(t)}</a></li>"
        for t, p in links
    )


def cookie_banner(rev: int, cls: str) -> str:
    button = ["Accept all", "OK, got it", "Accept", "Allow all"][rev - 1]
    return f"""<div class="{cls}" role="dialog" aria-label="Cookie consent">
  <p>{BANNERS[rev - 1]} <a href="/cookies">Cookie settings</a></p>
  <button type="button">{button}</button> <button type="button">Reject non-essential</button>
</div>"""


def updated_line(source: LegalSource, rev: int, style: str) -> str:
    return f"Last updated: {long_date(source.updated[rev - 1], style)}"


def lumora(platform: Doc, doc: Doc, source: LegalSource, rev: int) -> str:
    body = render_blocks(source.blocks_by_rev[rev], rev, plain)
    helpful = 1204 + 37 * rev
    return f"""{head(source.title, platform, rev, "lumora")}
<body class="legal-page">
<header class="site-header">
  <a class="brand" href="/lumora-ai/">Lumora</a>
  <ul class="nav">
{nav_links(platform, rev, track=True)}
    <li><a class="cta" href="/signup?ref=legal-{rev}">Try Lumora free</a></li>
  </ul>
</header>
{cookie_banner(rev, "cookie-banner")}
<main id="main">
<article class="legal">
<div class="legal-tools"><a href="{tracked(doc["path"], rev, "print")}&amp;print=1">Print</a> · <a href="/share?u={digest(doc["path"], rev)[:8]}">Share</a> · <span>Page viewed {helpful * 13} times</span></div>
<h1>{html.escape(source.title)}</h1>
<p class="updated">{updated_line(source, rev, "mdy")}</p>
{body}
<aside class="feedback">Was this page helpful? {helpful} people said yes. <button>Yes</button> <button>No</button></aside>
</article>
</main>
<footer class="site-footer">
  <p>© {2025 if rev < 4 else 2026} Lumora Labs, Inc. All rights reserved.</p>
  <p><a href="/status">Status</a> · <a href="/careers">Careers</a> · <a href="/press">Press</a></p>
</footer>
</body>
</html>
"""


def quillbase(platform: Doc, doc: Doc, source: LegalSource, rev: int) -> str:
    body = render_blocks(source.blocks_by_rev[rev], rev, plain)
    sidebar = "\n".join(
        f'    <a href="{d["path"]}"{" aria-current=page" if d is doc else ""}>{d["title"]}</a>'
        for d in platform["documents"]
    )
    return f"""{head(source.title, platform, rev, "docs")}
<body>
<div class="topbar"><a href="/quillbase/">Quillbase</a> <a href="/quillbase/pricing">Pricing</a> <a href="/login?next=%2Flegal">Log in</a></div>
{cookie_banner(rev, "qb-consent")}
<div class="docs-layout">
  <nav class="sidebar">
{sidebar}
  </nav>
  <div class="doc-body">
    <div class="breadcrumbs">Legal / {html.escape(source.title)} <span class="build">build {digest("qb", rev)[:7]}</span></div>
    <span id="terms-start"></span>
    <h1>{html.escape(source.title)}</h1>
    <p class="updated">{updated_line(source, rev, "mdy")}</p>
    <div class="doc-meta">{len(body.split()) // 230} min read · viewed {4810 + 97 * rev} times · <a href="#" data-copy="{digest(doc["path"], rev)[:6]}">Copy link</a></div>
{body}
    <span id="terms-end"></span>
    <div class="edit-on">Questions about these terms? <a href="/quillbase/contact?topic=legal&amp;v={rev}">Contact us</a></div>
  </div>
</div>
<footer><p>Quillbase, Inc. · {["New York", "New York, NY", "New York", "New York, NY"][rev - 1]}</p></footer>
</body>
</html>
"""


def parcelly(platform: Doc, doc: Doc, source: LegalSource, rev: int) -> str:
    body = render_blocks(source.blocks_by_rev[rev], rev, plain)
    headings = [b.text for b in source.blocks_by_rev[rev] if b.kind == "h2"]
    toc = "\n".join(f"      <li>{html.escape(h)}</li>" for h in headings)
    return f"""{head(source.title, platform, rev, "parcelly")}
<body>
<div id="app">
<header><nav class="menu">
  <ul>
{nav_links(platform, rev, track=rev > 1)}
  </ul>
  <a class="app-badge" href="/parcelly/app?src=legal_{rev}">Get the app</a>
</nav></header>
{cookie_banner(rev, "consent-bar")}
<div class="page">
  <section class="terms-body">
    <a class="print-link" href="#" onclick="window.print()">Print this page</a>
    <div id="toc"><p>On this page</p><ol>
{toc}
    </ol></div>
    <h1>{html.escape(source.title)}</h1>
    <p class="updated">{updated_line(source, rev, "dmy")}</p>
{body}
  </section>
  <aside class="promo">Send your first parcel with code WELCOME{rev}0 for {10 * rev}% off.</aside>
</div>
<footer class="foot"><p>Parcelly Ltd · Registered in England and Wales · © {2025 if rev < 3 else 2026}</p></footer>
</div>
</body>
</html>
"""


def chirpnest(platform: Doc, doc: Doc, source: LegalSource, rev: int) -> str:
    body = render_blocks(source.blocks_by_rev[rev], rev, plain)
    trending = ["#fallcolors", "#nestweek", "#chirpchallenge", "#newyearnest"][rev - 1]
    return f"""{head(source.title, platform, rev, "chirp")}
<body data-theme="{["light", "light", "dusk", "dusk"][rev - 1]}">
<header class="masthead">
  <a href="/chirpnest/" class="logo">Chirpnest</a>
  <span class="trending">Trending: {trending}</span>
  <ul class="legal-nav">
{nav_links(platform, rev, track=False)}
  </ul>
</header>
{cookie_banner(rev, "cookie-notice")}
<main>
  <div id="legal-content" data-version="{digest(doc["path"], rev)[:12]}">
    <div class="translate-widget">Read this page in: <a href="?hl=es">Español</a> · <a href="?hl=fr">Français</a>{" · <a href='?hl=pt'>Português</a>" if rev > 2 else ""}</div>
    <h1>{html.escape(source.title)}</h1>
    <p class="updated">{updated_line(source, rev, "mdy")}</p>
{body}
    <ul class="related-links"><li><a href="/chirpnest/safety">Safety Center</a></li><li><a href="/chirpnest/blog?tag=policy&amp;r={rev}">Policy blog</a></li></ul>
  </div>
</main>
<footer class="site-foot">Chirpnest, Inc. · <a href="/chirpnest/about">About</a> · <a href="/chirpnest/ads">Advertise</a></footer>
</body>
</html>
"""


TEMPLATES = {
    "lumora-ai": lumora,
    "quillbase": quillbase,
    "parcelly": parcelly,
    "chirpnest": chirpnest,
}


def render_page(platform: Doc, doc: Doc, source: LegalSource, rev: int) -> str:
    return TEMPLATES[platform["slug"]](platform, doc, source, rev)


def render_bot_wall(platform: Doc, doc: Doc, rev: int) -> str:
    """A CDN's browser check, as a tracker sees it instead of the document."""
    ray = digest(doc["path"], "ray", rev)[:16]
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow">
<meta name="viewport" content="width=device-width,initial-scale=1">
</head>
<body class="no-js">
<div class="main-wrapper" role="main">
<div class="main-content">
  <h1 class="zone-name-title h1">{html.escape(platform["name"])}</h1>
  <h2 class="h2" id="challenge-running">Checking your browser before accessing the site.</h2>
  <noscript><div class="h2">Enable JavaScript and cookies to continue</div></noscript>
  <div id="challenge-body-text" class="core-msg spacer">
    This process is automatic. Your browser will redirect to your requested content shortly.
  </div>
</div>
</div>
<div class="footer" role="contentinfo">
  <div class="footer-inner">Ray ID: <code>{ray}</code> · Performance &amp; security by EdgeShield</div>
</div>
</body>
</html>
"""
