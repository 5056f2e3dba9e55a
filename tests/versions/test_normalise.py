"""What normalisation forgets (invisible noise) and what it must keep (every word and number)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausewatch.versions.normalise import normalise, text_fingerprint, typography_key

BASE = "# Terms\n\nYou must be 16 or older.\n\n- Item one\n  - nested item\n"


@pytest.mark.parametrize(
    "noisy",
    [
        BASE.replace("\n", "\r\n"),
        BASE.replace("\n", "\r"),
        BASE.replace("older.", "older.   "),
        BASE.replace("\n\n", "\n\n\n\n\n"),
        "\n\n" + BASE + "\n\n \n",
        BASE.replace("be 16", "be\u00a016"),
        BASE.replace("be 16", "be\u202f16"),
        BASE.replace("must be", "must  be"),
        BASE.replace("must", "mu\u200bst"),
        BASE.replace("Terms", "\ufeffTerms"),
        BASE.replace("older", "ol\u00adder"),
        BASE.replace("older", "olde\u0301r").replace("olde\u0301r", "old\u00e9r"),
        BASE.replace("be 16", "be\t16"),
    ],
)
def test_invisible_noise_is_not_a_change(noisy: str) -> None:
    if "old\u00e9r" in noisy:  # composed vs decomposed accents
        assert normalise(noisy) == normalise(noisy.replace("\u00e9", "e\u0301"))
        return
    assert text_fingerprint(noisy) == text_fingerprint(BASE)
    assert normalise(noisy) == BASE


@pytest.mark.parametrize(
    "edited",
    [
        BASE.replace("16", "18"),
        BASE.replace("must", "should"),
        BASE.replace("older.", "older!"),
        BASE.replace("Terms", "terms"),
        BASE.replace("older.", "older. We may change this."),
        BASE.replace("  - nested", "- nested"),  # list structure is content
        BASE.replace("You", "“You”"),
        BASE + "\n- Item two\n",
    ],
)
def test_every_edit_of_words_numbers_or_structure_is_a_change(edited: str) -> None:
    assert text_fingerprint(edited) != text_fingerprint(BASE)


def test_normalised_text_ends_with_one_newline_or_is_empty() -> None:
    assert normalise("a") == "a\n"
    assert normalise(" \n\n\t\n") == ""
    assert normalise("") == ""


def test_leading_indentation_is_kept() -> None:
    assert normalise("- a\n    code  block\n") == "- a\n    code block\n"


def test_typography_key_forgets_quotes_markup_and_link_targets_not_words() -> None:
    a = "## Privacy\n\nWe **never** sell \u201cyour\u201d data \u2014 see [our policy](https://a.example/x).\n"
    b = 'Privacy\n=======\n\nWe never sell "your" data - see [our policy](https://a.example/y?v=2).\n'
    assert typography_key(a) == typography_key(b)
    assert typography_key(a) != typography_key(a.replace("never", "sometimes"))
    assert typography_key("snake_case_name") == "snake_case_name"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(
    st.text(
        alphabet=st.sampled_from(
            [*"ab1 \n\r\t*_#-", "\u00a0", "\u200b", "\u00ad", "\u0301", "\u2028"]
        ),
        max_size=120,
    )
)
def test_normalise_is_idempotent_on_whitespace_heavy_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "\r" not in once and "\u00a0" not in once and "\u200b" not in once
