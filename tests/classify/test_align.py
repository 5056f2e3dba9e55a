"""Sentence alignment of a document with its translation (used to carry the English model's
types over to German, Italian and Polish training sentences)."""

from __future__ import annotations

from pathlib import Path

from clausewatch.classify.align import align

ENGLISH = [
    "Welcome to the service.",
    "We may terminate your account at any time and for any reason, without notice.",
    "These terms are governed by the laws of Ireland.",
    "Contact us by email.",
    "Any dispute will be resolved by the courts of Dublin.",
]
GERMAN = [
    "Willkommen beim Dienst.",
    "Wir können Ihr Konto jederzeit und aus jedem Grund ohne vorherige Ankündigung kündigen.",
    "Diese Bedingungen unterliegen irischem Recht.",
    "Kontaktieren Sie uns per E-Mail.",
    "Alle Streitigkeiten werden von den Gerichten in Dublin entschieden.",
]


def test_a_sentence_by_sentence_translation_pairs_every_sentence() -> None:
    assert align(ENGLISH, GERMAN) == [(i, i) for i in range(len(ENGLISH))]


def test_a_sentence_split_in_two_is_left_unpaired_and_the_rest_still_align() -> None:
    split = [
        *GERMAN[:1],
        "Wir können Ihr Konto jederzeit und aus jedem Grund kündigen.",
        "Eine vorherige Ankündigung ist dafür nicht erforderlich.",
        *GERMAN[2:],
    ]
    pairs = align(ENGLISH, split)
    assert (0, 0) in pairs
    assert all(i != 1 for i, _ in pairs)  # the split sentence has no one-to-one partner
    assert (2, 3) in pairs and (3, 4) in pairs and (4, 5) in pairs


def test_a_sentence_missing_from_the_translation_is_never_paired_wrongly() -> None:
    missing = GERMAN[:3] + GERMAN[4:]
    pairs = align(ENGLISH, missing)
    right = {(0, 0), (1, 1), (2, 2), (4, 3)}
    # A short sentence left out may take its neighbour's pair with it (one-to-two), but no
    # sentence is paired with the wrong translation.
    assert set(pairs) <= right and len(pairs) >= 3


def test_tags_decide_between_sentences_of_similar_length() -> None:
    before = [f"Clause {i}: " + "w" * (60 + 7 * i) for i in range(8)]
    after = [f"Section {i}: " + "v" * (50 + 5 * i) for i in range(8)]
    source = [*before, "a" * 40, "b" * 40, *after]
    target = [*before, "x" * 40, *after]
    law = frozenset({"law"})
    none: frozenset[str] = frozenset()
    n = len(before)

    def tags(tagged: int, length: int) -> list[frozenset[str]]:
        return [law if k == tagged else none for k in range(length)]

    def middle(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(i, j) for i, j in pairs if j == n]

    # The translated sentence is tagged like the second candidate: it pairs with that one.
    assert middle(align(source, target, tags(n + 1, len(source)), tags(n, len(target)))) == [
        (n + 1, n)
    ]
    assert middle(align(source, target, tags(n, len(source)), tags(n, len(target)))) == [(n, n)]


def test_pairs_are_in_order_and_each_sentence_is_used_once() -> None:
    source = [f"Sentence number {i} " + "word " * (i % 7) for i in range(300)]
    target = [s.upper() for s in source[:120]] + [s.upper() for s in source[121:]]
    pairs = align(source, target)
    assert [i for i, _ in pairs] == sorted({i for i, _ in pairs})
    assert [j for _, j in pairs] == sorted({j for _, j in pairs})
    right = sum(1 for i, j in pairs if target[j] == source[i].upper())
    assert right >= 295


def test_empty_sides_give_no_pairs() -> None:
    assert align([], GERMAN) == []
    assert align(ENGLISH, []) == []


def test_claudette_translations_align_with_their_tags(shared_data: Path) -> None:
    """On a real CLAUDETTE-2021 document and its German translation, alignment by length
    alone (tags withheld) pairs most tagged sentences with a sentence of the same tags."""
    from clausewatch.classify.data import load_claudette

    en = load_claudette(shared_data, ["Booking"], lang="en")
    de = load_claudette(shared_data, ["Booking"], lang="de")
    pairs = align([r.text for r in en], [r.text for r in de])
    assert len(pairs) >= 0.8 * min(len(en), len(de))
    tagged = [(i, j) for i, j in pairs if en[i].degrees or de[j].degrees]
    agree = sum(en[i].degrees.keys() == de[j].degrees.keys() for i, j in tagged)
    assert tagged and agree / len(tagged) >= 0.8
