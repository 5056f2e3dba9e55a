"""What a cue edit changes on real documents: every explicit claim the cue phrases make on the
latest version of each Open Terms Archive dataset document, under the working tree's cues
beside the cues of a git revision (the baseline), in one run.

    .venv/bin/python bench/cue_audit.py [DATA_DIR] [--base REV] [--show TYPE ...] [--limit N]

Cue phrases make a type "Explicit document language" and quote their words as the evidence,
so a cue that fires on the same words in another sense ("moral rights" in a list of
intellectual property rights, "terminate" in "you may terminate this agreement") states
something the document does not say. There is no labelled set of such claims, so this
script does not score precision: it prints, per type and language, how many provisions the
cues claim under each cue set and how many claims the edit dropped and added, and with
``--show`` the dropped and added claims themselves, quoted around the matched words, so that
each one can be read. A provision's claims are those ``classify`` makes
(``cues.provision_claims``: cues read sentence by sentence, a notice stated in the sentence
after a change, claims that give way to another). Both cue sets run through the working tree's
matching code (negation, ``yields_to``); only the YAML files (``provision_types.yaml`` and ``cues/*.yaml``) come from
REV (default ``HEAD``).

The documents are the latest version of each document of ``ota/contrib-dataset`` and
``ota/genai-eu-dataset``, cut into provisions as tracking cuts them, each read in the
language detected from its whole text (languages without cue phrases are skipped).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from clausewatch.classify.cues import provision_claims
from clausewatch.classify.taxonomy import Taxonomy, load_taxonomy, load_taxonomy_file
from clausewatch.provisions.segment import segment
from clausewatch.versions.metadata import detect_language

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = "src/clausewatch/analysis/knowledge"
DATASETS = ("contrib-dataset", "genai-eu-dataset")


def taxonomy_at(revision: str, folder: Path) -> Taxonomy:
    """The taxonomy and language cue files as they were at ``revision``, read by this code."""

    def show(path: str) -> str:
        done = subprocess.run(
            ["git", "show", f"{revision}:{path}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"cue_audit: cannot read {path} at {revision}: {done.stderr.strip()}")
        return done.stdout

    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{revision}:{KNOWLEDGE}/cues"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    (folder / "cues").mkdir(parents=True, exist_ok=True)
    (folder / "provision_types.yaml").write_text(show(f"{KNOWLEDGE}/provision_types.yaml"))
    for name in listed.stdout.split() if listed.returncode == 0 else []:
        if name.endswith(".yaml"):
            (folder / "cues" / name).write_text(show(f"{KNOWLEDGE}/cues/{name}"))
    return load_taxonomy_file(folder / "provision_types.yaml")


def latest_versions(data: Path) -> Iterator[tuple[str, str, str]]:
    """(service, document, text) of the latest version of each OTA dataset document."""
    for dataset in DATASETS:
        root = data / "ota" / dataset
        if not root.is_dir():
            continue
        for service in sorted(p for p in root.iterdir() if p.is_dir()):
            for document in sorted(p for p in service.iterdir() if p.is_dir()):
                versions = sorted(document.glob("*.md"))
                if versions:
                    yield service.name, document.name, versions[-1].read_text(encoding="utf-8")


def documents(data: Path) -> list[tuple[str, str, list[str]]]:
    """(service / document, language, provisions) of the latest version of each document."""
    return [
        (f"{service} / {document}", detect_language(text) or "", [p.text for p in segment(text)])
        for service, document, text in latest_versions(data)
    ]


def claims(provisions: list[str], taxonomy: Taxonomy) -> list[dict[str, tuple[int, int]]]:
    """Each provision's claims as ``classify`` makes them: type id -> matched raw span."""
    return [
        {type_id: m.span for type_id, m in found.items()}
        for found in provision_claims(provisions, taxonomy)
    ]


def quote(text: str, span: tuple[int, int], width: int = 70) -> str:
    start, end = span
    before = text[max(0, start - width) : start]
    after = text[end : end + width // 2]
    return " ".join(f"{before}[{text[start:end]}]{after}".split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--base", default="HEAD", help="git revision of the baseline cues")
    parser.add_argument(
        "--show", nargs="*", default=[], metavar="TYPE", help="list these types' changes"
    )
    parser.add_argument("--limit", type=int, default=50, help="changes listed per type")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "ota").is_dir():
        sys.exit(f"cue_audit: no ota/ folder under {data} (pass the shared data folder)")

    started = time.perf_counter()
    current = load_taxonomy()
    with tempfile.TemporaryDirectory() as folder:
        base = taxonomy_at(args.base, Path(folder))
    docs = documents(data)
    languages = set(current.languages)
    before: Counter[tuple[str, str]] = Counter()
    after: Counter[tuple[str, str]] = Counter()
    dropped: dict[tuple[str, str], list[str]] = defaultdict(list)
    added: dict[tuple[str, str], list[str]] = defaultdict(list)
    read = 0
    for index, (name, language, provisions) in enumerate(docs, 1):
        if language not in languages:
            continue
        read += len(provisions)
        old = claims(provisions, base.for_language(language))
        new = claims(provisions, current.for_language(language))
        for text, a, b in zip(provisions, old, new, strict=True):
            for type_id in a:
                before[type_id, language] += 1
            for type_id in b:
                after[type_id, language] += 1
            for type_id in a.keys() - b.keys():
                dropped[type_id, language].append(f"{name} ({language}): {quote(text, a[type_id])}")
            for type_id in b.keys() - a.keys():
                added[type_id, language].append(f"{name} ({language}): {quote(text, b[type_id])}")
        if index % 100 == 0:
            print(f"  {index:,}/{len(docs):,} documents", file=sys.stderr, flush=True)

    print(f"cues of the working tree vs cues at {args.base}")
    print(f"{read:,} provisions of {len(docs):,} documents ({time.perf_counter() - started:.0f} s)")
    print(
        f"  explicit claims      ours {sum(after.values()):8,}   baseline {sum(before.values()):8,}"
    )
    print(f"  {'type':34} {'lang':4} {'ours':>6} {'base':>6} {'dropped':>8} {'added':>6}")
    for key in sorted(dropped.keys() | added.keys()):
        type_id, language = key
        print(
            f"  {type_id:34} {language:4} {after[key]:6,} {before[key]:6,} "
            f"{len(dropped[key]):8,} {len(added[key]):6,}"
        )
    for type_id in args.show:
        gone = [line for (t, _), lines in sorted(dropped.items()) if t == type_id for line in lines]
        came = [line for (t, _), lines in sorted(added.items()) if t == type_id for line in lines]
        print(f"\n== {type_id}: dropped {len(gone)}, added {len(came)}")
        for line in gone[: args.limit]:
            print(f"  - {line}")
        for line in came[: args.limit]:
            print(f"  + {line}")


if __name__ == "__main__":
    main()
