"""The customer journey: personas and the domain operations that move them through the 7 phases.

:class:`Bank` wraps the client with the configured tenants and admin sessions and offers one method
per business action. Methods named after an action (``register``, ``activate`` …) return the raw
:class:`Exchange` for steps to judge; ``*_ok`` / ``onboard`` variants are setup steps that must
succeed and raise :class:`SetupFailure` (profile §7.4) otherwise.

One module per phase group, each class building on the earlier phases it relies on: ``core``
(state, admins) → ``registration`` (phases 1-2) → ``verification`` (3) → ``activation`` (4-5,
``onboard``) → ``funding`` (6) → ``bank`` (7, :class:`Bank`); ``personas`` holds what the suite knows
about a customer and ``answers`` how it reads the deployment's answers. Callers import from here.
"""

from __future__ import annotations

from .activation import CONSENT_ORDER
from .answers import PENDING, SETTLED, fee_of, status_of
from .bank import Bank
from .funding import FundingUnavailable
from .personas import PHASES, Beneficiary, Customer, Order

__all__ = ["Customer", "Bank", "Order", "Beneficiary", "PHASES", "FundingUnavailable", "status_of", "fee_of",
           "CONSENT_ORDER", "PENDING", "SETTLED"]
