from __future__ import annotations

import pytest

from clausewatch.provisions.materiality import assess_modification


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "**Overview.** Subject to these Terms, we give you permission.",
            "A.1. **Overview.** Subject to these Terms, we give you permission.",
        ),
        ("I.2.c. We may terminate these Terms.", "I.3.c. We may terminate these Terms."),
        ("4.3 You must keep your password safe.", "5.1 You must keep your password safe."),
        ("(b) you may cancel at any time.", "(c) you may cancel at any time."),
    ],
)
def test_renumbering_a_clause_is_cosmetic(old: str, new: str) -> None:
    assert assess_modification(old, new).materiality == "cosmetic"


def test_a_changed_count_at_the_start_is_not_a_label() -> None:
    assert (
        assess_modification("100 users may join.", "200 users may join.").materiality != "cosmetic"
    )
    assert assess_modification("A user may post.", "A user may not post.").materiality != "cosmetic"
