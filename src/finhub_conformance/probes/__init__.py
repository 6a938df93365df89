"""Probes for the isolation, security and convention scenarios (TEN, SEC, GEN).

* Forged tokens built from a real one (SEC-3): missing, malformed, tampered and ``alg:none``.
* The table of authenticated endpoints (E1, E2, E4-E16, S2, S3, S5-S8) as client calls aimed at one
  customer's real ids, so that a refusal can only come from the credentials or the input.
* Hostile inputs for every POST endpoint (SEC-2): malformed JSON, non-object bodies, wrong types,
  10,000-character strings, a 1 MiB body, a wrong ``Content-Type``, extreme amounts, hostile headers and
  unknown or non-UUID path ids.

A driver package: it knows HTTP and the profile, never pytest. It holds one module per kind of probe:
``forgery`` (bad tokens), ``endpoints`` (the table), ``calls`` (aiming an endpoint at a customer's ids as
a caller), ``hostile`` (the SEC-2 inputs), ``runs`` (the probe runs the isolation and security steps
make) and ``conventions`` (the GEN probes: one mistake per phase, header styles, unknown fields).
Callers import from here.
"""

from __future__ import annotations

from ..timestamps import parse_timestamp
from .calls import caller_for, foreign_ids, ids_of, send
from .conventions import first_steps, provoke_errors
from .endpoints import ABSENT, AUTHENTICATED, ENDPOINTS, Endpoint, endpoint
from .forgery import FORGERIES, forge
from .hostile import HOSTILE_INPUTS, MEBIBYTE, hostile_variants
from .runs import (Attempt, Probe, as_callers, e1_is_public, hostile_calls, outside, reported_as, wallet_snapshot,
                   with_forged_tokens)

__all__ = ["ABSENT", "FORGERIES", "HOSTILE_INPUTS", "Endpoint", "ENDPOINTS", "AUTHENTICATED", "Attempt", "forge",
           "ids_of", "send", "endpoint", "e1_is_public", "with_forged_tokens", "as_callers", "outside",
           "wallet_snapshot", "Probe", "hostile_calls", "provoke_errors", "first_steps",
           "caller_for", "hostile_variants", "foreign_ids", "reported_as", "parse_timestamp", "MEBIBYTE"]
