"""Named faults for self-tests of the conformance suite.

Each fault breaks exactly one MUST rule of the profile and leaves the happy path working. Faults are off
unless enabled with ``--fault NAME`` (repeatable) or ``REF_FAULTS=a,b``; the code checks them with
``config.fault(NAME)`` at the one place where the rule is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """A switch that breaks one rule."""

    name: str
    rule: str
    description: str


_FAULTS = (
    # registration and categorization
    Fault("password_without_digit_accepted", "REG-3", "the password policy no longer requires a digit"),
    Fault("short_password_accepted", "REG-3", "the password policy no longer requires 8 characters"),
    Fault("password_without_upper_accepted", "REG-3", "the password policy no longer requires an upper-case letter"),
    Fault("password_without_lower_accepted", "REG-3", "the password policy no longer requires a lower-case letter"),
    Fault("password_without_special_accepted", "REG-3", "the password policy no longer requires a special character"),
    Fault("malformed_email_accepted", "REG-5", "email syntax is no longer checked"),
    Fault("weak_password_confirmation_ignored", "REG-4", "password and matchingPassword may differ"),
    Fault("duplicate_email_accepted", "REG-5", "a second customer with the same email is registered in the tenant"),
    Fault("unknown_category_accepted", "CAT-2", "an unknown category id registers an uncategorized customer"),
    Fault("mandatory_keys_not_checked", "CAT-3", "missing mandatory parametrization keys are accepted"),
    Fault("allowed_values_not_checked", "CAT-4", "parametrization values outside allowedValues are accepted"),
    # sessions
    Fault("logout_does_not_revoke", "SES-6", "logout answers 200 but the session's token keeps working"),
    Fault("wrong_password_accepted", "SES-3", "customer login succeeds with any password"),
    Fault("tenant_credentials_ignored", "SES-5", "customer login ignores tenantKey and tenantSecret"),
    Fault("foreign_logout_allowed", "SES-7", "a customer's token can end another customer's session"),
    Fault("other_users_credentials_accepted", "SES-4",
          "a log-in on one user's path succeeds with another user's (of the same tenant) credentials"),
    # verification and risk
    Fault("tenant_admin_approves_high_risk", "RISK-1", "a tenant admin's approval suffices for high risk"),
    Fault("customer_can_approve", "VER-7", "a customer token can approve verifications"),
    Fault("verification_redecided", "VER-6", "a decided verification can be decided again"),
    Fault("reinitiate_after_approval", "VER-8", "initiating after APPROVED opens a new verification"),
    # consents and activation
    Fault("consent_false_accepted", "CON-3", "accepted:false is recorded as ACCEPTED"),
    Fault("activation_skips_terms_consent", "ACT-2", "activation no longer needs TERMS_AND_CONDITIONS"),
    Fault("activation_skips_privacy_consent", "ACT-3", "activation no longer needs PRIVACY_POLICY"),
    Fault("activation_skips_data_processing_consent", "ACT-4", "activation no longer needs DATA_PROCESSING"),
    Fault("activation_without_approval", "ACT-1", "activation no longer needs an approved verification"),
    Fault("activation_repeatable", "ACT-5", "a second activation succeeds and issues a new IBAN"),
    # wallet, IBAN, beneficiaries
    Fault("wallet_active_before_activation", "WAL-3", "wallet reads report ACTIVE before activation"),
    Fault("available_ignores_blocked", "WAL-2", "availableBalance is reported equal to currentBalance"),
    Fault("iban_bad_checksum", "IBAN-1", "generated wallet IBANs fail the mod-97 check"),
    Fault("iban_reused", "IBAN-3", "every wallet gets the same IBAN"),
    Fault("invalid_bic_accepted", "BEN-4", "beneficiary BICs are not validated"),
    Fault("invalid_currency_accepted", "BEN-7", "beneficiary currencies are not checked against ISO 4217"),
    Fault("duplicate_beneficiary_accepted", "BEN-5", "the same IBAN can be added twice with a new id"),
    Fault("invalid_beneficiary_iban_accepted", "BEN-3", "beneficiary IBANs are no longer checked (shape or mod-97)"),
    # payments
    Fault("payment_consent_not_required", "PAY-2", "transfers are prepared without a payment consent"),
    Fault("unregistered_beneficiary_accepted", "PAY-3", "transfers to unregistered IBANs are prepared"),
    Fault("double_execute_moves_money_twice", "PAY-4", "executing a prepared order again moves money again"),
    Fault("concurrent_double_execute_moves_money_twice", "PAY-4",
          "execute checks 'already executed?' apart from moving the money: a sequential second execute is "
          "refused, concurrent executes of one order all move it"),
    Fault("fee_above_prepared_total", "PAY-10",
          "execute charges 1.00 more than the total shown at prepare (responses still show that total)"),
    Fault("insufficient_funds_accepted", "PAY-8", "a transfer above the available balance is prepared and executed"),
    Fault("reservation_never_released", "PAY-10", "executing an order leaves its total blocked after settlement"),
    Fault("expired_order_executes", "PAY-7", "an expired prepared order can still be executed"),
    Fault("transfer_limit_ignored", "PAY-9", "per-transaction, daily and monthly limits are not enforced"),
    Fault("non_positive_amount_accepted", "PAY-11", "a zero transfer amount is accepted at prepare"),
    Fault("wrong_authentication_code_accepted", "PAY-13", "execute ignores the authentication code"),
    # tenancy, security, general
    Fault("tenant_header_not_checked", "TEN-1", "an X-Tenant-ID that differs from the token's tenant is accepted"),
    Fault("foreign_wallet_readable", "SEC-4", "another customer's wallet balance is readable"),
    Fault("foreign_writes_allowed", "SEC-4",
          "a customer can register a beneficiary on another customer's wallet of the tenant (reads stay refused)"),
    Fault("alg_none_token_accepted", "SEC-3", "an unsigned alg:none token is accepted"),
    Fault("password_hash_exposed", "SEC-1", "the registration response carries the password hash"),
    Fault("malformed_json_500", "SEC-2", "a malformed JSON body gets a 500"),
    Fault("missing_tenant_header_500", "GEN-3", "a missing X-Tenant-ID gets a 500"),
    Fault("refused_prepare_reserves", "GEN-8", "a prepare refused for insufficient funds still blocks the amount"),
)

FAULTS: dict[str, Fault] = {fault.name: fault for fault in _FAULTS}


def describe() -> str:
    """The ``--list-faults`` listing: ``NAME<TAB>RULE-ID<TAB>description``, one per line."""
    return "\n".join(f"{f.name}\t{f.rule}\t{f.description}" for f in _FAULTS)
