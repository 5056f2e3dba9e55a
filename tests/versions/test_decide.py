"""The new-version decision and the check that keeps bot walls and stubs out of history."""

from __future__ import annotations

from clausewatch.versions.decide import check_content, decide

DOC = (
    "# Terms of Service\n\nThese terms govern your use of the service. You must be 16 or "
    "older. We may suspend accounts that break these terms, and we will tell you why.\n"
)


def test_first_text_is_a_version() -> None:
    decision = decide(None, DOC)
    assert decision.is_new and decision.reason == "first"
    assert decision.normalised == DOC


def test_identical_text_is_not_new() -> None:
    decision = decide(DOC, DOC)
    assert not decision.is_new and decision.reason == "unchanged"


def test_whitespace_noise_is_not_new_and_says_so() -> None:
    decision = decide(DOC, DOC.replace("\n", "  \r\n") + "\n\n")
    assert not decision.is_new and decision.reason == "noise"


def test_word_change_is_new() -> None:
    decision = decide(DOC, DOC.replace("16", "13"))
    assert decision.is_new and decision.reason == "changed" and not decision.technical


def test_typography_only_change_is_new_but_technical() -> None:
    curly = DOC.replace("# Terms of Service", "Terms of Service\n================")
    decision = decide(DOC, curly)
    assert decision.is_new and decision.technical and decision.reason == "technical"


def test_previous_text_is_compared_normalised() -> None:
    assert not decide(DOC.replace("\n", "\r\n"), DOC).is_new


def test_bot_walls_are_rejected() -> None:
    assert check_content("Just a moment...\n\nChecking your browser before accessing.") is not None
    assert check_content("# Access denied\n\nYou don't have permission to access this.")
    reason = check_content("Please complete the CAPTCHA below to continue to the site.")
    assert reason is not None and reason.startswith("bot wall")


def test_empty_and_near_empty_are_rejected() -> None:
    assert check_content("") == "empty content"
    assert check_content("  \n\n ") == "empty content"
    assert check_content("![logo](https://x.example/logo.svg)") is not None
    reason = check_content("Terms of Use\n============")
    assert reason is not None and reason.startswith("near-empty")


def test_a_real_document_mentioning_captcha_is_accepted() -> None:
    text = DOC + (
        "\nWe use a CAPTCHA to protect sign-up forms from abuse, and access denied "
        "messages are shown when you lack rights. " * 8
    )
    assert check_content(text) is None
    assert check_content(DOC) is None
