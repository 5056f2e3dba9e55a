"""Fixtures of the provisions tests: a small terms document written for them."""

from __future__ import annotations

import pytest

TERMS = """\
Example Terms of Service
========================

Last updated: March 3, 2024

Welcome to Example. These terms govern your use of the Example app and website.

1\\. Your Account
----------------

You must be at least 18 years old to create an account.

You are responsible for keeping your password confidential.

*   Do not share your account with anyone else.
*   Do not create more than one account.

2\\. Payments
------------

Subscriptions renew automatically at the end of each billing period.

We will notify you at least 30 days before any price increase takes effect.

3\\. Termination
---------------

You may close your account at any time from the settings page.

We may suspend your account if you break these terms, after giving you notice.

4\\. Disputes
------------

4.1 These terms are governed by the laws of Ireland.

4.2 You may bring claims before the courts of your country of residence.

| Data | Purpose |
| --- | --- |
| Email address | To send you receipts |
"""


@pytest.fixture
def terms() -> str:
    return TERMS
