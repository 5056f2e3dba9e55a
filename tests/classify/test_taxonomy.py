from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch.classify.taxonomy import (
    SEVERITIES,
    TaxonomyError,
    load_taxonomy,
    load_taxonomy_file,
)

REQUIRED = {
    "ai_training_on_user_content",
    "ai_training_opt_out",
    "ai_output_ownership",
    "ai_no_training_commitment",
    "ai_output_use_restriction",
    "ai_human_review",
    "ai_automated_decisions",
    "data_sharing_third_parties",
    "data_sale",
    "targeted_advertising",
    "data_retention",
    "data_deletion_right",
    "international_transfers",
    "law_enforcement_access",
    "children_data",
    "binding_arbitration",
    "class_action_waiver",
    "jury_trial_waiver",
    "arbitration_opt_out",
    "jurisdiction",
    "choice_of_law",
    "shortened_claim_period",
    "limitation_of_liability",
    "warranty_disclaimer",
    "indemnification",
    "content_license",
    "content_removal",
    "feedback_rights",
    "unilateral_change_with_notice",
    "unilateral_change_without_notice",
    "termination_suspension",
    "contract_by_using",
    "auto_renewal",
    "refunds",
}


def test_taxonomy_covers_the_issue() -> None:
    taxonomy = load_taxonomy()
    ids = {t.id for t in taxonomy.types}
    assert len(ids) >= 40
    assert len({t.category for t in taxonomy.types}) >= 8
    assert ids >= REQUIRED
    for t in taxonomy.types:
        assert t.definition and t.severity in SEVERITIES
        assert t.cues, f"{t.id} has no cue"


def test_every_claudette_label_has_a_type() -> None:
    mapped = {key for t in load_taxonomy().types for key in t.claudette}
    assert mapped == {
        "arbitration",
        "unilateral_change",
        "content_removal",
        "jurisdiction",
        "choice_of_law",
        "limitation_of_liability",
        "unilateral_termination",
        "contract_by_using",
    }


def test_opt_out_lowers_and_carve_out_raises() -> None:
    training = load_taxonomy().by_id()["ai_training_on_user_content"]
    assert any(p.search("unless you opt out of training") for p in training.lower_when)
    assert any(p.search("even if you opt out we will use") for p in training.raise_when)


def test_tosdr_case_titles_exist_in_the_data(shared_data: Path) -> None:
    cases = set()
    with (shared_data / "tosdr" / "points.jsonl").open() as handle:
        for line in handle:
            cases.add(json.loads(line)["case"].strip())
    missing = [c for c in load_taxonomy().by_tosdr_case() if c not in cases]
    assert missing == []


def test_bad_regex_names_the_type(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: broken, name: B, category: x, definition: d, severity: low, cues: ['(']}\n"
    )
    with pytest.raises(TaxonomyError, match="broken"):
        load_taxonomy_file(path)


def test_unknown_category_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: t, name: T, category: y, definition: d, severity: low}\n"
    )
    with pytest.raises(TaxonomyError, match="unknown category"):
        load_taxonomy_file(path)


def test_global_inline_flag_is_refused_on_load(tmp_path: Path) -> None:
    # "(?i)" compiles alone but breaks the per-type alternation the cue scan builds.
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: flagged, name: F, category: x, definition: d, severity: low,\n"
        "     cues: ['\\bfine\\b', '(?i)\\bshouting\\b']}\n"
    )
    with pytest.raises(TaxonomyError, match="cannot be combined") as caught:
        load_taxonomy_file(path)
    assert "flagged" in str(caught.value)
    assert "(?i:...)" in str(caught.value)


def test_scoped_inline_flag_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        "  - {id: scoped, name: S, category: x, definition: d, severity: low,\n"
        "     cues: ['\\bfine\\b', '(?i:\\bshouting\\b)']}\n"
    )
    taxonomy = load_taxonomy_file(path)
    assert [p.pattern for p in taxonomy.types[0].cues][1] == "(?i:\\bshouting\\b)"


# Each line: a type, "+" if its cues must fire on the text or "-" if they must not, the text.
# The "-" lines hold the same words in another sense, met in real documents.
CUE_CASES = """
data_deletion_right             + You have the right to access your personal data at any time.
data_deletion_right             + You have the right of access, correction and deletion of your information.
data_deletion_right             - We believe everyone should have the right to access generative AI tools.
children_data                   + We do not knowingly collect personal data from children under 13.
children_data                   + Parents can review their child's account.
children_data                   - Generating child sexual abuse material is strictly prohibited.
sensitive_data                  + We may process data revealing your racial or ethnic origin with your consent.
sensitive_data                  + Information about your sexual orientation is never shared.
sensitive_data                  + We collect biometric identifiers such as face geometry.
sensitive_data                  - Do not promote hatred based on race, religion or sexual orientation.
warranty_disclaimer             + The Service is provided "AS IS" and "AS AVAILABLE".
warranty_disclaimer             + Outputs are provided on an as-is basis.
warranty_disclaimer             - Subprocessors give the same protection as is required by law.
data_sale                       + If we are involved in a merger or acquisition, your information may be transferred.
data_sale                       - Avoid any data destruction, use, access, or acquisition; disruption of our systems.
content_license                 + By posting content you grant us a worldwide, royalty-free license to use it.
content_license                 - We grant you a limited, non-exclusive, non-sublicensable license to use the app.
unilateral_change_with_notice   + We will give you 30 days' notice before changes to these terms take effect.
unilateral_change_with_notice   - Either party may terminate for material breach by providing 30 days prior notice.
jurisdiction                    + You submit to the exclusive jurisdiction of the courts of Ireland.
jurisdiction                    - If a court of competent jurisdiction finds a clause invalid, the rest remains.
children_data                   - Do not facilitate the grooming of minors.
unilateral_change_with_notice   - We may change these terms without notice to you. If any change to these terms is void, the rest stays.
unilateral_change_with_notice   + We will notify you of material changes to these terms by email.
law_enforcement_access          - We process data to comply with legal obligations.
law_enforcement_access          + We may disclose information to respond to valid legal process.
data_sale                       + Upon a merger or acquisition of the company, we will transfer your information.
ai_training_on_user_content     - You may not use API requests to develop models that compete with us.
ai_output_use_restriction       + You may not use API requests to develop models that compete with us.
ai_training_on_user_content     + We may use your conversations to improve our models.
ai_output_ownership             - Use the Services at your own risk. The Services, Outputs and Actions are provided as is.
ai_output_ownership             - We may retain API inputs and outputs for up to 30 days.
ai_output_ownership             + You own your inputs and outputs.
ai_output_ownership             + We assign to you all our right, title and interest in the Outputs.
ai_training_opt_out             - Even if you opt out of receiving promotional messages, we may send account notices.
ai_training_opt_out             + Even if you opt out, we will use flagged conversations for model training.
targeted_advertising            + We share information about your visits with advertisers and ad networks.
targeted_advertising            + Advertisers use cookies to show you ads.
targeted_advertising            - We are not responsible for your dealings with such advertisers.
termination_suspension          + We may terminate your account at any time.
termination_suspension          + We may suspend or restrict your access to the Services.
termination_suspension          - If you wish to terminate your account, contact support.
termination_suspension          - Use Restrictions. You may not access the Services by automated means.
termination_suspension          - This arbitration provision shall survive termination of these Terms.
termination_suspension          - You may at any time cancel your subscription from the settings page.
termination_suspension          + We may at any time terminate your account.
termination_suspension          - You must cancel your subscription before the renewal date to avoid being charged.
termination_suspension          - Your plan renews automatically unless you cancel before the end of the term.
termination_suspension          - The 14-day cancellation period does not restart when you change plans.
termination_suspension          - If you close your account, we delete your data within 30 days.
termination_suspension          - No refund covers the days between the day you cancel and the end of the period.
termination_suspension          - Your cancellation of the subscription takes effect at the end of the period.
termination_suspension          - Users can cancel, upgrade or modify their subscription plan.
termination_suspension          + We may cancel your subscription if a payment fails.
termination_suspension          + If you breach these Terms, we may suspend your account without notice.
termination_suspension          + We reserve the right to close your account if you are inactive for two years.
user_can_leave                  + You may terminate your account at any time by contacting us.
user_can_leave                  + If you wish to close your account, go to the settings page.
user_can_leave                  + Users can stop using the Services at any time.
user_can_leave                  - We may terminate your account at any time.
user_can_leave                  - You cannot close your account while a payment is pending.
severability                    + If any provision is held unenforceable, the remaining provisions will remain in full force.
severability                    + If a court of competent jurisdiction finds a clause invalid, the rest remains in effect.
severability                    - Invalid passwords and other errors remain in the log.
no_waiver                       + Our failure to enforce any provision will not be deemed a waiver of our rights.
no_waiver                       - You waive any right to a jury trial.
no_waiver                       - No waiver of jury trial applies to small claims.
"""


def _cue_cases() -> list[tuple[str, str, bool]]:
    rows = []
    for line in CUE_CASES.strip().splitlines():
        type_id, sign, text = line.split(maxsplit=2)
        rows.append((text, type_id, sign == "+"))
    return rows


@pytest.mark.parametrize(("text", "type_id", "expected"), _cue_cases())
def test_cues_fire_on_the_provision_not_on_the_same_words_elsewhere(
    text: str, type_id: str, expected: bool
) -> None:
    from clausewatch.classify.cues import all_cues, normalize_with_offsets

    found = {m.type_id for m in all_cues(normalize_with_offsets(text), load_taxonomy())}
    assert (type_id in found) is expected, found
