"""finhub_conformance: the driver of the FinHub B2C conformance suite.

Client, configuration, checks, schema registry and lifecycle helpers that the Gherkin steps call.
It never imports pytest-bdd, and shares no code with the reference deployment (finhub_reference).
"""

__version__ = "0.1.0"
