"""Root conftest: registers the harness and the step libraries (pytest refuses pytest_plugins elsewhere)."""

pytest_plugins = [
    "steps.harness",
    "steps.customer_steps",
    "steps.session_steps",
    "steps.verification_steps",
    "steps.activation_steps",
    "steps.wallet_steps",
    "steps.payment_steps",
    "steps.journey_steps",
]
