from __future__ import annotations

import json
from pathlib import Path

import pytest

from clausewatch.classify.taxonomy import (
    SEVERITIES,
    Taxonomy,
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


@pytest.mark.parametrize(
    ("yields_to", "message"),
    [("[elsewhere]", "'elsewhere', which is not another type"), ("[a]", "'a', which is not")],
)
def test_yields_to_must_name_another_type(tmp_path: Path, yields_to: str, message: str) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(
        "categories: {x: X}\n"
        "types:\n"
        f"  - {{id: a, name: A, category: x, definition: d, severity: low, yields_to: {yields_to}}}\n"
        "  - {id: b, name: B, category: x, definition: d, severity: low}\n"
    )
    with pytest.raises(TaxonomyError, match=message) as caught:
        load_taxonomy_file(path)
    assert ": a" in str(caught.value)


def test_yields_to_keeps_a_cue_out_of_the_other_types_words(tmp_path: Path) -> None:
    from clausewatch.classify.cues import all_cues, normalize_with_offsets

    text = "types:\n  - {id: ends, name: E, category: x, definition: d, severity: high,\n"
    text += "     cues: ['\\bterminate\\b[\\w ]{0,30}\\baccount\\b']%s}\n"
    text += "  - {id: leaves, name: L, category: x, definition: d, severity: low,\n"
    text += "     cues: ['\\byou may terminate your account\\b']}\n"
    plain_path, yielding_path = tmp_path / "plain.yaml", tmp_path / "yielding.yaml"
    plain_path.write_text("categories: {x: X}\n" + text % "")
    yielding_path.write_text("categories: {x: X}\n" + text % ", yields_to: [leaves]")
    plain, yielding = load_taxonomy_file(plain_path), load_taxonomy_file(yielding_path)
    assert plain.cue_digest() != yielding.cue_digest()
    assert yielding.types[0].to_json()["yields_to"] == ["leaves"]

    def found(taxonomy: Taxonomy, sentence: str) -> dict[str, str]:
        matches = all_cues(normalize_with_offsets(sentence), taxonomy)
        return {m.type_id: sentence[m.span[0] : m.span[1]] for m in matches}

    inside = "You may terminate your account."
    assert found(plain, inside) == {"ends": "terminate your account", "leaves": inside[:-1]}
    assert found(yielding, inside) == {"leaves": inside[:-1]}
    # Runs into the user's words and is complete only with them: dropped.
    into = "Requests to terminate. You may terminate your account."
    assert "ends" in found(plain, into)
    assert "ends" not in found(yielding, into)
    # Runs into them but is complete before them: kept, cut to its own words.
    before = "We terminate your account or you may terminate your account."
    assert found(yielding, before)["ends"] == "terminate your account"
    # A later match outside the user's words still counts.
    later = "You may terminate your account. We may terminate any account."
    assert found(yielding, later)["ends"] == "terminate any account"


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
termination_suspension          - You have the right to terminate this Agreement at any time.
termination_suspension          - If you do not agree with an update, you may stop using the Services or terminate this Agreement.
termination_suspension          - Requests to terminate. You can delete your account at any time.
termination_suspension          - CANCELLING AS A CONSUMER: YOU MAY CANCEL YOUR SUBSCRIPTION AT ANY TIME.
termination_suspension          + We may terminate your account, and you may close your account at any time.
termination_suspension          + You may close your account at any time, and we may suspend your access if you breach these Terms.
user_can_leave                  + You may terminate your account at any time by contacting us.
user_can_leave                  + If you wish to close your account, go to the settings page.
user_can_leave                  + Users can stop using the Services at any time.
user_can_leave                  - We may terminate your account at any time.
user_can_leave                  - You cannot close your account while a payment is pending.
severability                    + If any provision is held unenforceable, the remaining provisions will remain in full force.
severability                    + If a court of competent jurisdiction finds a clause invalid, the rest remains in effect.
severability                    - Invalid passwords and other errors remain in the log.
severability                    - A claim for public injunctive relief must be severed from the arbitration and litigated in court.
children_data                   + We do not collect personal information from children.
children_data                   + The Services are not directed to children under the age of 13.
children_data                   + If you are a minor, you need the consent of a parent.
children_data                   - Do not upload content that is harmful to minors.
children_data                   - Content that exploits or abuses children is removed.
children_data                   - No photorealistic depictions of minors.
children_data                   - You may incur minor charges when you publish an app.
children_data                   - We have made other minor formatting changes.
children_data                   - The YouTube Kids service is provided by Google.
children_data                   + Kids under 13 may only use the app with a parent.
jury_trial_waiver               + You and we each waive the right to a trial by jury.
jury_trial_waiver               + You give up your right to have a judge or jury decide your claims.
jury_trial_waiver               + This clause affects your right to have a jury hear your claims.
jury_trial_waiver               - Reported posts are reviewed by our Community Jury.
moral_rights_waiver             + You waive any moral rights you may have in your content.
moral_rights_waiver             + To the extent permitted by law, you agree not to assert your moral rights against us.
moral_rights_waiver             - Content must not infringe any copyright, trade secret, moral rights or other rights of a third party.
moral_rights_waiver             - You retain all moral rights to your content.
shortened_claim_period          + Any claim must be filed within one year after it arose or it is forever barred.
shortened_claim_period          + Such claims are permanently barred.
shortened_claim_period          + Notwithstanding any statute of limitations, claims must be brought promptly.
shortened_claim_period          - Any statute of limitations will be tolled during this informal resolution process.
shortened_claim_period          - We keep records for as long as the statute of limitations requires.
ai_automated_decisions          + You will not be subject to decisions based solely on automated processing.
ai_automated_decisions          + We use automated systems to detect and remove content that breaks these rules.
ai_automated_decisions          + We use automated systems and algorithms to analyse your content.
ai_automated_decisions          - You may not use any robot, spider or other automated means to access the Site.
ai_automated_decisions          - We use cookies and other automated means of data collection.
ai_automated_decisions          - We welcome reports from automated tools/scans, but offer no reward.
ai_human_review                 + Conversations may be reviewed by human reviewers to improve safety.
ai_human_review                 - Evaluate the output for accuracy, including by utilizing human review as appropriate.
ai_human_review                 - The customer is responsible for human review where appropriate.
ai_output_use_restriction       + You may not use outputs to create a competing product or service.
ai_output_use_restriction       + Do not attempt to extract model weights.
ai_output_use_restriction       + Do not reverse engineer the Services, including our machine learning models.
ai_output_use_restriction       - You may not reverse engineer or attempt to discover the source code of the Service.
ai_output_use_restriction       - Do not access the Services to build a competitive product or service.
ai_output_use_restriction       - Users can discover and share custom machine learning models.
data_deletion_right             + You have the right to object to the processing of your personal data.
data_deletion_right             + You also have the right to restrict our processing of your personal data.
data_deletion_right             - We reserve the right to restrict, suspend or terminate your account.
data_deletion_right             - We have the right to restrict your access to the Services.
tracking_technologies           + We use cookies to remember your settings.
tracking_technologies           - | [Swoogo](https://swoogo.events/legal/cookies/) | Events |
tracking_technologies           - More at www.example.com/cookies-and-pixels/ for partners.
content_removal                 + We may remove any content that violates these Terms.
content_removal                 + We reserve the right to edit reviews for clarity or length.
content_removal                 - You must delete such content using the feature provided.
content_removal                 - You grant us a licence to reproduce, display and modify your content to operate the service.
content_removal                 + We reserve the right to remove, screen, translate or edit without notice any content posted.
content_removal                 - You may delete your content at any time.
targeted_advertising            + You can opt out of receiving marketing communications from us at any time.
targeted_advertising            + We may send you promotional emails about new features.
targeted_advertising            + You can unsubscribe at any time by using the link at the bottom of the newsletter.
targeted_advertising            - We may also send you certain non-promotional communications regarding our Services.
targeted_advertising            - You shall not transmit any unsolicited advertising, promotional materials, junk mail or spam.
targeted_advertising            - Customer may display our name and logo in its marketing materials.
data_retention                  + We delete data used for logging after 90 days.
data_retention                  + Data is deleted no later than 1 calendar month after the account is deleted.
data_retention                  + Content you delete may persist for a limited period of time in backup copies.
data_retention                  + We do not keep your data for any longer than necessary to fulfil the purposes.
data_retention                  + No personal data is kept in logs for more than 30 days.
data_retention                  - You can delete your photos at any time.
data_sale                       + In the event we go through a business transition, such as a merger, we may transfer your personal information to the acquirer.
data_sale                       + If the ownership or control of all or part of our Products changes, we may transfer your information to the new owner.
data_sale                       - We protect your personal information against unauthorised acquisition and loss.
acceptable_use                  + You may not use the Services to send spam.
acceptable_use                  - If you refuse cookies, you may not be able to use some parts of the Service.
acceptable_use                  + You agree not to use the Services for any illegal or unauthorized purpose.
acceptable_use                  + You may use the Discovery Sites for lawful purposes only.
acceptable_use                  + You agree to use our Services only for legal, authorized, and acceptable purposes.
acceptable_use                  - Personal data shall be obtained only for specified and lawful purposes.
acceptable_use                  + You agree not to post User Content that is defamatory, obscene or harassing.
acceptable_use                  + Post or transmit any content that is obscene, pornographic or threatening;
acceptable_use                  - We do not endorse content that is defamatory or obscene.
acceptable_use                  + You may download the material solely for your personal, non-commercial use.
acceptable_use                  + Your account is personal, for your exclusive usage only.
acceptable_use                  - A consumer is an individual who uses Google services for personal, non-commercial purposes.
acceptable_use                  + Probe, scan, or test the vulnerability of any system or network.
acceptable_use                  + Attempt to gain unauthorized access to any account or computer system.
acceptable_use                  - We use firewalls to protect against attempts to gain unauthorized access to your data.
acceptable_use                  + Do not knowingly introduce any viruses, trojans or worms.
acceptable_use                  - Cookies cannot run programs or transmit viruses to your computer.
acceptable_use                  - We monitor traffic, preventing the distribution of viruses.
acceptable_use                  - We do not warrant that the site is free of viruses or other harmful components.
acceptable_use                  + Interfere with any other user's use and enjoyment of the Services.
sensitive_data                  + We process biometric data to verify your identity.
sensitive_data                  + We may process genetic information you provide.
sensitive_data                  - We do not discriminate on the basis of disability, medical or genetic condition.
no_waiver                       + Our failure to enforce any provision will not be deemed a waiver of our rights.
no_waiver                       - You waive any right to a jury trial.
no_waiver                       - No waiver of jury trial applies to small claims.
jurisdiction                    + All claims under these Terms will be brought exclusively in the state courts of Travis County, Texas.
jurisdiction                    + Any dispute shall be submitted to the competent courts in Rotterdam.
jurisdiction                    + Disputes arising from this agreement are subject to the jurisdiction of the courts of Geneva.
jurisdiction                    + The exclusive place of jurisdiction for merchants is Munich.
jurisdiction                    - If any provision is determined by a court to be invalid, the rest remains in force.
jurisdiction                    - Either party may bring an individual claim in small claims court.
jurisdiction                    - Claims may be filed in arbitration or court as described below.
contract_by_using               + By using our apps, you're agreeing to be bound by these Terms.
contract_by_using               + Your continued use of the service after the effective date of the new version will indicate your acceptance of it.
contract_by_using               + If you continue to use the platform after the changes take effect, you will be bound by the updated Terms.
contract_by_using               + When you create an account or use the app, you agree to these Terms of Use.
contract_by_using               - By accessing the Services, you confirm that you are at least 16 years old.
contract_by_using               - When you use our website, you agree to our use of cookies.
termination_suspension          + We may refuse service, close accounts and change eligibility requirements at any time.
termination_suspension          + Your account may be suspended or terminated if someone else uses it to break these rules.
termination_suspension          + We reserve the right to ban your account for cheating.
termination_suspension          - Do not circumvent a ban through the use of a different account.
termination_suspension          - You can hide posts by blocking individual accounts.
termination_suspension          - Restricted transfers: to the extent your use of the Services involves a transfer outside the EEA, the clauses apply.
termination_suspension          - Your account will be closed at your request within 30 days.
limitation_of_liability         + The operator disclaims all liability for content posted by members.
limitation_of_liability         + We accept no responsibility for losses caused by third-party plugins.
limitation_of_liability         + Under no circumstances will the company be responsible for lost data.
limitation_of_liability         + We may discontinue the service at any time without any liability to you.
limitation_of_liability         + Our liability under these terms is limited to the fees you paid in the last twelve months.
limitation_of_liability         + You release us from any and all liability arising from your meetings with other members.
limitation_of_liability         - The customer may terminate the agreement without any liability to the supplier.
limitation_of_liability         - No settlement may be entered that resolves the claim without liability to the other party.
limitation_of_liability         - The sections on ownership, indemnity and limitations of liability survive termination.
data_sharing_third_parties      + We may disclose personally identifiable information about you to third parties in limited circumstances.
data_sharing_third_parties      + We may share personal data to authorized service providers who perform services for us.
data_sharing_third_parties      + We employ other companies and individuals to perform functions on our behalf.
data_sharing_third_parties      + We work with third parties to provide some of our Services.
data_sharing_third_parties      + Our websites are hosted by third party service providers.
data_sharing_third_parties      - You may transfer your data to another service provider of your choice.
data_sharing_third_parties      - You can ask us to restrict the sharing of data with third parties.
data_sharing_third_parties      - The recipient may disclose the discloser's confidential information only to its employees and contractors.
data_sharing_third_parties      - We use both first and third party cookies to operate the site.
data_sharing_third_parties      - We do not share your personal information with third parties.
data_sale                       + We can also share your personal data as part of a sale, merger or change in control.
data_sale                       + In the event we sell or transfer all or substantially all of our assets, user information may be transferred.
data_sale                       + If any of our assets are sold or transferred to a third party, customer information may be one of the transferred assets.
data_sale                       - We protect your data against unauthorised acquisition and disclosure.
unilateral_change_with_notice   + We may update this Privacy Policy from time to time, and if we do so we will send an email to our users.
unilateral_change_with_notice   + The organization may modify this contract at any time and undertakes to inform the user of any changes.
unilateral_change_with_notice   + We will notify you of any changes by posting the new Privacy Policy on this page.
unilateral_change_with_notice   - We will notify you of any changes to your order status.
unilateral_change_without_notice + We may modify this Privacy Policy at any time, without prior notice.
unilateral_change_without_notice - We may update this Privacy Policy from time to time.
data_sharing_third_parties      - Transfer your Personal Data to a third party (right to data portability).
data_retention                  + Our logs that contain IP addresses are deleted after 10 days.
data_retention                  + We keep your information for no longer than necessary for the purposes for which it is processed.
data_retention                  + The website may retain server copies of your videos that have been removed or deleted.
data_retention                  + We may need to retain certain information for record keeping purposes.
data_retention                  - You may retain a copy of your invoices for your records.
data_retention                  - We retain the right to make copies of content that violates these terms.
account_security_responsibility + You will be responsible for all action taken using your account, whether authorized by you or not.
account_security_responsibility + You are fully accountable for any use or misuse of your account.
account_security_responsibility + You are responsible for safeguarding your account, so use a strong password.
account_security_responsibility + You must keep your account identifiers secure and strictly confidential.
account_security_responsibility + You will not share your password with anyone.
account_security_responsibility - We use this information for things like keeping your account secure.
account_security_responsibility - You are responsible for keeping your account email address current.
user_can_leave                  + You can permanently delete your account at any time.
user_can_leave                  + You may choose to close your account at any time, for any reason.
user_can_leave                  + You can stop using our services any time.
user_can_leave                  - You may not delete your account while a payment is pending.
user_can_leave                  - A newspaper subscription may be terminated at any time if the magazine is no longer available.
content_license                 + By uploading content, you grant Dribbble the right to use, reproduce and display it.
content_license                 + We may distribute your content in any media now known or later developed.
content_license                 + This license survives termination of the agreement.
content_license                 - Subject to your compliance with the user terms, the company hereby grants you a non-transferable license to use the site.
content_license                 - If you provide feedback, you grant us the right to use and exploit feedback without restriction.
ai_human_review                 + When you contact us, we may monitor or record that communication for quality assurance.
ai_human_review                 + The company shall have the right to monitor and record your communications on the platform.
ai_human_review                 - If you message a business, that person or business can read your message.
ai_human_review                 - Workspace admins can view, access and delete end user conversations.
ai_human_review                 - We will never read your private messages.
data_deletion_right             + You can ask us to erase or delete all or some of your personal data.
data_deletion_right             + Through the Service, you can directly access, edit, delete or export personal data.
data_deletion_right             + You can export a copy of your information at any time.
data_deletion_right             + You may request access to or correction of your personal information.
data_deletion_right             + The right to be forgotten applies to your account.
data_deletion_right             - We also reserve the right to access, read, preserve and disclose any information we believe necessary.
data_deletion_right             - You may not delete your personal data while an investigation is open.
targeted_advertising            + We may use the contents of your profile to tailor our ads to you.
targeted_advertising            + We also use the IP address with mobile products to serve ads.
targeted_advertising            + We use this information for showing you more relevant posts, events and ads.
targeted_advertising            - Our support team will show you how to turn off ads in the settings.
real_name_policy                + You will not use false identity information when registering.
real_name_policy                + You may not have more than one free account.
real_name_policy                - To make a privacy request, you must provide your full name and email address.
real_name_policy                - You do not need to use your real name on the forum.
location_data                   + We may infer your approximate location based on your IP address.
location_data                   + We use location-related information, such as where you live.
location_data                   - Depending on your location, you may have rights in relation to your data.
location_data                   - You must be at least 18 years old or the minimum age required in your location.
location_data                   - These terms apply regardless of your location.
content_ownership_retained      + DeviantArt does not claim ownership rights in your works or other materials posted by you.
content_ownership_retained      + Customer retains ownership of all rights, including intellectual property rights, in the Customer Data.
content_ownership_retained      + Despite this allowance, your content shall always remain your property.
content_ownership_retained      - You acknowledge that you do not acquire any ownership rights by using the service.
content_ownership_retained      - You may not use the service for scraping content that doesn't belong to you.
content_ownership_retained      - You may print the content for personal use if you retain all copyright and proprietary notices.
severability                    + If any provision of these Terms is found by a court of competent jurisdiction to be invalid, the parties agree the court should give effect to their intentions.
severability                    + The invalidity or unenforceability of any provision shall not affect the validity of the remaining provisions.
severability                    - If you are found to have posted invalid payment details, your order will be cancelled.
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


def test_a_cue_inside_a_web_address_is_skipped_for_the_documents_own_words() -> None:
    from clausewatch.classify.cues import all_cues, normalize_with_offsets

    text = "See [our policy](https://example.com/legal/cookies?x=1) on how we place cookies."
    found = {m.type_id: m.span for m in all_cues(normalize_with_offsets(text), load_taxonomy())}
    start, end = found["tracking_technologies"]
    assert text[start:end] == "cookies"
    assert start == text.rindex("cookies")
    only_link = "See [our policy](https://example.com/legal/cookies?x=1)."
    assert not all_cues(normalize_with_offsets(only_link), load_taxonomy())
