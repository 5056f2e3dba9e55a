from __future__ import annotations

from clausewatch.classify.result import confidence_level, severity_of
from clausewatch.classify.taxonomy import load_taxonomy


def test_confidence_cuts() -> None:
    assert [confidence_level(p) for p in (0.2, 0.5, 0.79, 0.8, 1.0)] == [
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_severity_takes_the_worst_type_and_modifiers() -> None:
    types = load_taxonomy().by_id()
    training = types["ai_training_on_user_content"]
    assert severity_of([training], "we use your chats to train our models", {}) == "medium"
    assert severity_of([training], "we train our models unless you opt out", {}) == "low"
    assert severity_of([training], "we train models by default", {}) == "high"
    both = "we train unless you opt out even if you opt out we train on feedback"
    assert severity_of([training], both, {}) == "medium"
    assert severity_of([types["indemnification"], training], "text", {}) == "high"
    assert severity_of([], "text", {}) == "low"


def test_clearly_unfair_degree_makes_it_high() -> None:
    choice = load_taxonomy().by_id()["choice_of_law"]
    assert severity_of([choice], "governed by the laws of x", {}) == "medium"
    assert severity_of([choice], "governed by the laws of x", {"choice_of_law": 3}) == "high"
