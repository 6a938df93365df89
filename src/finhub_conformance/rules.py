"""The rule catalogue of the conformance profile (b2c-profile.md): id, level and title.

Tags in the feature files use the underscore form (``@REG_3``). ``tests/test_rule_catalogue.py`` keeps
this table in step with the profile when the profile is present beside the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "FAMILIES", "tag_of", "rule_of_tag", "PHASE_TAGS"]


@dataclass(frozen=True)
class Rule:
    """One profile rule."""

    id: str
    level: str
    title: str

    @property
    def tag(self) -> str:
        """The Gherkin tag / pytest marker of this rule (``REG_3``)."""
        return tag_of(self.id)


def tag_of(rule_id: str) -> str:
    """``REG-3`` → ``REG_3``."""
    return rule_id.replace("-", "_")


def rule_of_tag(tag: str) -> str | None:
    """``REG_3`` → ``REG-3`` when the tag names a rule of the catalogue."""
    candidate = tag.replace("_", "-")
    return candidate if candidate in RULES else None


_TABLE = [
    ('GEN-1', 'MUST', 'Paths'),
    ('GEN-2', 'MUST', 'Headers'),
    ('GEN-3', 'MUST', 'Missing header'),
    ('GEN-4', 'MUST', 'Body and envelope'),
    ('GEN-5', 'MUST', 'Success codes'),
    ('GEN-6', 'MUST', 'Error codes'),
    ('GEN-7', 'MUST', 'Unknown fields'),
    ('GEN-8', 'MUST', 'No effect on 4xx'),
    ('GEN-9', 'MUST', 'Timestamps'),
    ('GEN-10', 'MUST', 'Ids'),
    ('GEN-11', 'n/a', 'Enums'),
    ('GEN-12', 'MAY', 'Throttling'),
    ('AMT-1', 'MUST', 'Request amounts'),
    ('AMT-2', 'MUST', 'Response amounts'),
    ('AMT-3', 'MUST', 'Consistency'),
    ('SM-1', 'MUST', 'Linear flow with strict prerequisites'),
    ('SM-2', 'MUST', 'No backward movement'),
    ('SM-3', 'MUST', 'Customer status'),
    ('SM-4', 'MUST', 'Verification status'),
    ('SM-5', 'MUST', 'Wallet status'),
    ('SM-6', 'MUST', 'Order status'),
    ('REG-1', 'MUST', 'Who may register'),
    ('REG-2', 'MUST', 'Required fields'),
    ('REG-3', 'MUST', 'Password policy (seed wins)'),
    ('REG-4', 'MUST', 'Password confirmation'),
    ('REG-5', 'MUST', 'Email'),
    ('REG-6', 'MUST', 'Identifiers returned'),
    ('REG-7', 'MUST', 'Default wallet (seed)'),
    ('REG-8', 'MUST', 'Categorization is optional (seed wins)'),
    ('CAT-1', 'MUST', 'Hierarchy shape'),
    ('CAT-2', 'MUST', 'Category must exist'),
    ('CAT-3', 'MUST', 'Mandatory keys'),
    ('CAT-4', 'MUST', 'Allowed values'),
    ('CAT-5', 'MUST', 'Valid parametrization'),
    ('SES-1', 'MUST', 'Login result (seed)'),
    ('SES-2', 'MUST', 'When login is possible'),
    ('SES-3', 'MUST', 'Bad credentials'),
    ('SES-4', 'MUST', 'Credentials match the path'),
    ('SES-5', 'MUST', 'Tenant credentials'),
    ('SES-6', 'MUST', 'Logout'),
    ('SES-7', 'MUST', 'Logout scope'),
    ('SES-8', 'SHOULD', 'Lockout'),
    ('SES-9', 'MAY', 'Refresh'),
    ('VER-1', 'MUST', 'Who may initiate and submit'),
    ('VER-2', 'MUST', 'Initiate result'),
    ('VER-3', 'MUST', 'Submit enums'),
    ('VER-4', 'MUST', 'Reading status'),
    ('VER-5', 'MUST', 'Standard approval'),
    ('VER-6', 'MUST', 'No re-decision'),
    ('VER-7', 'MUST', 'Customers cannot decide'),
    ('VER-8', 'MUST', 'No re-initiation'),
    ('VER-9', 'MAY', 'Auto-approval'),
    ('VER-10', 'MAY', 'Submit without initiate'),
    ('VER-11', 'SHOULD', 'Rejection'),
    ('RISK-1', 'MUST', 'High risk needs the power tenant (seed)'),
    ('RISK-2', 'MUST', 'Power approval suffices'),
    ('RISK-3', 'MUST', 'Standard risk needs no power approval'),
    ('RISK-4', 'SHOULD', 'High-risk limits'),
    ('CON-1', 'MUST', 'Accepting consents'),
    ('CON-2', 'MUST', 'Result is ACCEPTED'),
    ('CON-3', 'MUST', 'Bad acceptance'),
    ('CON-4', 'MUST', 'Unknown type'),
    ('CON-5', 'MAY', 'Re-accepting'),
    ('CON-6', 'MAY', 'Order'),
    ('CON-7', 'MUST', 'Consent-driven blocking (seed)'),
    ('ACT-1', 'MUST', 'Prerequisite 1'),
    ('ACT-2', 'MUST', 'Prerequisite 2'),
    ('ACT-3', 'MUST', 'Prerequisite 3'),
    ('ACT-4', 'MUST', 'Prerequisite 4'),
    ('ACT-5', 'MUST', 'Prerequisite 5'),
    ('ACT-6', 'MUST', 'Activation result'),
    ('ACT-7', 'MUST', 'Wallet IBAN'),
    ('ACT-8', 'MUST', 'Activation code'),
    ('ACT-9', 'MUST', 'Readiness check agrees'),
    ('WAL-1', 'MUST', 'Who may read'),
    ('WAL-2', 'MUST', 'Balance invariant'),
    ('WAL-3', 'MUST', 'Inactive wallet (seed)'),
    ('WAL-4', 'MUST', 'Fresh wallet'),
    ('WAL-5', 'MUST', 'Limits are visible'),
    ('WAL-6', 'SHOULD', 'Consent status'),
    ('IBAN-1', 'MUST', 'IBAN validity'),
    ('IBAN-2', 'SHOULD', 'Country length'),
    ('IBAN-3', 'MUST', 'Uniqueness'),
    ('BEN-1', 'MUST', 'Adding a beneficiary'),
    ('BEN-2', 'MUST', 'Required data'),
    ('BEN-3', 'MUST', 'IBAN check'),
    ('BEN-4', 'MUST', 'BIC check'),
    ('BEN-5', 'MUST', 'No duplicates'),
    ('BEN-6', 'MUST', 'Listing'),
    ('BEN-7', 'MUST', 'Currency'),
    ('PAY-1', 'MUST', 'Active wallet (seed)'),
    ('PAY-2', 'MUST', 'Payment consent (seed wins over the flow guide)'),
    ('PAY-3', 'MUST', 'Registered beneficiary (seed)'),
    ('PAY-4', 'MUST', 'Execute at most once: money never moves twice'),
    ('PAY-5', 'MUST', 'Prepare result'),
    ('PAY-6', 'MUST', 'Reservation'),
    ('PAY-7', 'MUST', 'Expiry'),
    ('PAY-8', 'MUST', 'Insufficient funds'),
    ('PAY-9', 'MUST', 'Limits'),
    ('PAY-10', 'MUST', 'Settlement'),
    ('PAY-11', 'MUST', 'Input validation'),
    ('PAY-12', 'MUST', 'Ownership'),
    ('PAY-13', 'MUST', 'Authentication code'),
    ('PAY-14', 'SHOULD', 'Consent scope'),
    ('FUND-1', 'MUST', 'Funding works'),
    ('FUND-2', 'n/a', 'No funding method'),
    ('FUND-3', 'SHOULD', 'No consent for top-up'),
    ('TEN-1', 'MUST', 'Header matches token'),
    ('TEN-2', 'MUST', 'No cross-tenant reads'),
    ('TEN-3', 'MUST', 'No cross-tenant writes'),
    ('TEN-4', 'MUST', 'Login isolation'),
    ('TEN-5', 'SHOULD', 'Per-tenant email uniqueness'),
    ('TEN-6', 'MUST', 'The one cross-tenant action'),
    ('SEC-1', 'MUST', 'Secrets never returned'),
    ('SEC-2', 'MUST', 'Never a 5xx for bad client input'),
    ('SEC-3', 'MUST', 'Authentication required'),
    ('SEC-4', 'MUST', 'Customer scope'),
    ('SEC-5', 'MUST', 'Customers cannot approve'),
    ('SEC-6', 'SHOULD', 'Clean errors'),
]

RULES: dict[str, Rule] = {rid: Rule(rid, level, title) for rid, level, title in _TABLE}
FAMILIES = tuple(dict.fromkeys(rid.split("-")[0] for rid in RULES))

#: Capability tags, in phase order, with the names the summary prints.
PHASE_TAGS = {
    "registration": "1 Registration", "sessions": "2 Sessions", "verification": "3 Verification",
    "consents": "4 Consents", "activation": "5 Activation", "wallet": "6 Wallet",
    "payments": "7 Payments", "lifecycle": "End to end", "tenant_isolation": "Tenant isolation",
    "security": "Security", "conventions": "API conventions",
}
