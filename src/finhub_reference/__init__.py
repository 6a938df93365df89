"""FinHub v2.1 B2C reference deployment: an in-memory implementation of the conformance profile.

It shares no code with the conformance suite. Start it with ``python -m finhub_reference serve`` or build
the ASGI app with :func:`create_app`.
"""

from finhub_reference.app import create_app
from finhub_reference.config import Config, load_config

__all__ = ["Config", "create_app", "load_config"]
__version__ = "1.0.0"
