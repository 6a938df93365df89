"""Fixtures of the reference deployment's own tests."""

import pytest

from tests.reference.refkit import Ref


@pytest.fixture
def ref() -> Ref:
    """A fresh deployment."""
    return Ref()
