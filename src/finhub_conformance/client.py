"""The FinHub client: one domain verb per endpoint of profile §5 and §6, over :class:`Transport`.

Each verb names its endpoint (the operation label reports and coverage use), builds the path with
percent-encoded segments (GEN-10) and says which schema a 2xx payload must match; retries, headers
and evidence are the transport's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .exchange import Caller, Exchange
from .transport import API, Transport

__all__ = ["FinHubClient", "API"]


def _seg(value: Any) -> str:
    """A path segment, percent-encoded so that ids of any format stay one segment (GEN-10)."""
    return quote(str(value), safe="")


class FinHubClient(Transport):
    """Domain verbs for the FinHub B2C API (E1-E16, S1-S9)."""

    # ------------------------------------------------------------------ S1 admin session

    def admin_log_in(self, org_id: str, user_id: str, body: dict, tenant_header: str) -> Exchange:
        """S1: open an admin (or power-tenant admin) session."""
        return self.call("S1 admin log-in", "POST", f"/admin/organization/{_seg(org_id)}/users/{_seg(user_id)}"
                         "/sessions", Caller("anonymous", None, tenant_header), json_body=body,
                         schema="admin_session")

    # ------------------------------------------------------------------ phase 1: registration

    def get_hierarchy(self, caller: Caller, tenant_path_id: str) -> Exchange:
        """E1: the tenant's categorization hierarchy."""
        return self.call("E1 hierarchy", "GET", f"/customer/individual/categorization/hierarchy/"
                         f"{_seg(tenant_path_id)}", caller, schema="category_hierarchy")

    def register(self, caller: Caller, body: dict) -> Exchange:
        """E2: register an individual customer."""
        return self.call("E2 register", "POST", "/customer/individual/registration", caller, json_body=body,
                         schema="registration")

    # ------------------------------------------------------------------ phase 2: sessions

    def log_in(self, customer_id: str, user_id: str, body: dict, tenant_header: str | None,
               token: str | None = None) -> Exchange:
        """E3: open a customer session (no auth; an Authorization header is ignored)."""
        return self.call("E3 log in", "POST", f"/customer/individual/{_seg(customer_id)}/users/{_seg(user_id)}"
                         "/sessions", Caller("login", token, tenant_header), json_body=body,
                         schema="customer_session")

    def log_out(self, caller: Caller, customer_id: str, user_id: str, session_id: str) -> Exchange:
        """E4: end a customer session."""
        return self.call("E4 log out", "DELETE", f"/customer/individual/{_seg(customer_id)}/users/"
                         f"{_seg(user_id)}/sessions/{_seg(session_id)}", caller, schema="logout")

    def refresh_session(self, caller: Caller, customer_id: str, user_id: str, session_id: str,
                        refresh_token: str) -> Exchange:
        """S9: refresh a customer session (optional endpoint)."""
        return self.call("S9 refresh", "PUT", f"/customer/individual/{_seg(customer_id)}/users/"
                         f"{_seg(user_id)}/sessions/{_seg(session_id)}", caller,
                         json_body={"refreshToken": refresh_token}, schema="session_refresh")

    # ------------------------------------------------------------------ phase 3: verification

    def initiate_verification(self, caller: Caller, customer_id: str) -> Exchange:
        """E5: open a verification."""
        return self.call("E5 initiate verification", "POST",
                         f"/customer/individual/{_seg(customer_id)}/verification/initiate", caller,
                         json_body={}, schema="verification_initiate")

    def submit_verification(self, caller: Caller, customer_id: str, body: dict) -> Exchange:
        """E6: submit identity documents."""
        return self.call("E6 submit verification", "POST", f"/customer/individual/{_seg(customer_id)}"
                         "/verification", caller, json_body=body, schema="verification_submit")

    def get_verification(self, caller: Caller, verification_id: str) -> Exchange:
        """E7: read a verification's status."""
        return self.call("E7 verification status", "GET", f"/verifications/{_seg(verification_id)}", caller,
                         schema="verification")

    def decide_verification(self, caller: Caller, verification_id: str, body: dict) -> Exchange:
        """S2: approve (or, style A, reject) a verification."""
        return self.call("S2 decide verification", "POST", f"/verifications/{_seg(verification_id)}/approve",
                         caller, json_body=body, schema="verification_decision")

    def reject_verification(self, caller: Caller, verification_id: str, body: dict) -> Exchange:
        """S3: reject a verification (style B, optional endpoint)."""
        return self.call("S3 reject verification", "POST", f"/verifications/{_seg(verification_id)}/reject",
                         caller, json_body=body, schema="verification_decision")

    # ------------------------------------------------------------------ phases 4 and 5

    def accept_consent(self, caller: Caller, customer_id: str, segment: str, body: dict) -> Exchange:
        """E8-E10: accept the terms, privacy or data-processing consent."""
        return self.call(f"E8-E10 consent {segment}", "POST", f"/customer/individual/{_seg(customer_id)}"
                         f"/consents/{segment}", caller, json_body=body, schema="consent")

    def check_activation(self, caller: Caller, customer_id: str, owner_tenant_id: str) -> Exchange:
        """S5: ask whether the customer can be activated."""
        return self.call("S5 activation check", "GET", f"/customer/individual/{_seg(customer_id)}/owner/"
                         f"{_seg(owner_tenant_id)}/activation/check", caller, schema="activation_check")

    def activate(self, caller: Caller, customer_id: str, body: dict) -> Exchange:
        """E11: activate the customer and their wallet."""
        return self.call("E11 activate", "POST", f"/customer/individual/{_seg(customer_id)}/activation", caller,
                         json_body=body, schema="activation")

    # ------------------------------------------------------------------ phases 6 and 7: fintrans

    def get_balance(self, caller: Caller, account_id: str) -> Exchange:
        """E12: the wallet's balances."""
        return self.call("E12 balance", "GET", f"/fintrans/{_seg(account_id)}/balance", caller, schema="balance")

    def get_allowed_operations(self, caller: Caller, account_id: str, include_beneficiaries: bool = True,
                               include_consents: bool = True) -> Exchange:
        """E13: the operations the wallet allows, with their limits."""
        params = {"includeBeneficiaries": str(include_beneficiaries).lower(),
                  "includeConsents": str(include_consents).lower()}
        return self.call("E13 allowed operations", "GET", f"/fintrans/{_seg(account_id)}/allowed-operations",
                         caller, params=params, schema="allowed_operations")

    def add_beneficiary(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E14: register a beneficiary on the wallet."""
        return self.call("E14 add beneficiary", "POST", f"/fintrans/{_seg(account_id)}/beneficiaries", caller,
                         json_body=body, schema="beneficiary")

    def list_beneficiaries(self, caller: Caller, account_id: str) -> Exchange:
        """S6: the wallet's beneficiaries."""
        return self.call("S6 list beneficiaries", "GET", f"/fintrans/{_seg(account_id)}/beneficiaries", caller,
                         schema="beneficiary_list")

    def create_payment_consent(self, caller: Caller, account_id: str, body: dict,
                               operation_type: str = "TRANSFER") -> Exchange:
        """S7: create a payment consent (and receive its authentication code)."""
        return self.call("S7 payment consent", "POST", f"/fintrans/{_seg(account_id)}/payment-consents/types/"
                         f"{_seg(operation_type)}", caller, json_body=body, schema="payment_consent")

    def prepare_transfer(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E15: prepare a transfer order."""
        return self.call("E15 prepare transfer", "POST", f"/fintrans/{_seg(account_id)}/types/transfer/prepare",
                         caller, json_body=body, schema="transfer_prepare")

    def execute_transfer(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """E16: execute a prepared transfer order."""
        return self.call("E16 execute transfer", "POST", f"/fintrans/{_seg(account_id)}/types/transfer/execute",
                         caller, json_body=body, schema="transfer_execute")

    def prepare_topup(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """S8: prepare a top-up (funding)."""
        return self.call("S8 prepare top-up", "POST", f"/fintrans/{_seg(account_id)}/types/topup/prepare", caller,
                         json_body=body, schema="topup_prepare")

    def execute_topup(self, caller: Caller, account_id: str, body: dict) -> Exchange:
        """S8: execute a prepared top-up."""
        return self.call("S8 execute top-up", "POST", f"/fintrans/{_seg(account_id)}/types/topup/execute", caller,
                         json_body=body, schema="topup_execute")
