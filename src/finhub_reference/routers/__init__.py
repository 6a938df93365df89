"""One router per resource group, in the order of the seed's seven phases."""

from finhub_reference.routers import (
    activation,
    admin,
    beneficiaries,
    categorization,
    consents,
    payments,
    registration,
    sessions,
    topup,
    verification,
    wallet,
)

ALL_ROUTERS = (
    admin.router,
    categorization.router,
    registration.router,
    sessions.router,
    verification.router,
    consents.router,
    activation.router,
    wallet.router,
    beneficiaries.router,
    payments.router,
    topup.router,
)

__all__ = ["ALL_ROUTERS"]
