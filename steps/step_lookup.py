"""Faster step-definition lookup: pytest-bdd scans every fixture name for every step it runs.

``pytest_bdd.scenario.find_fixturedefs_for_step`` walks all registered fixture names (a few hundred
here) and asks pytest which definitions the node can see, for each of the ~850 steps of a run: about a
tenth of the suite's wall time in profiles (issue 8). Which step definitions a node can see depends
only on where it sits (its test module): the step libraries are registered once, at the root, before
the first scenario. So the visible step definitions are listed once per module, and each distinct step
text runs the parsers of those once, in the same way and order as pytest-bdd does. If pytest-bdd's internals
this relies on are gone, nothing is changed and the original lookup runs.
"""

from __future__ import annotations

import importlib

import pytest

# Not ``import pytest_bdd.scenario``: the package re-exports a function of that name, which shadows it.
_bdd = importlib.import_module("pytest_bdd.scenario")
_NEEDED = ("find_fixturedefs_for_step", "get_fixture_names", "getfixturedefs", "step_function_context_registry")
#: Per run (in the pytest config's stash): module path -> its visible step definitions.
_DEFINITIONS = pytest.StashKey[dict]()
#: Per run: (module path, step type, step text) -> the step definitions that parse it.
_MATCHES = pytest.StashKey[dict]()


def _visible_step_definitions(fixturemanager, node) -> list:
    """(fixturedef, step context) of every step definition visible to ``node``'s module."""
    definitions = node.config.stash.setdefault(_DEFINITIONS, {})
    key = node.nodeid.split("::", 1)[0]
    found = definitions.get(key)
    if found is None:
        found = []
        for name in _bdd.get_fixture_names(fixturemanager=fixturemanager):
            for fixturedef in _bdd.getfixturedefs(fixturemanager, name, node) or []:
                context = _bdd.step_function_context_registry.get(fixturedef.func)
                if context is not None:
                    found.append((fixturedef, context))
        definitions[key] = found
    return found


def _find_fixturedefs_for_step(step, fixturemanager, node):
    """The step definitions that parse ``step``, per module and step text once (Background steps recur in
    every scenario of a feature, "Alice is an active customer" in a hundred)."""
    matches = node.config.stash.setdefault(_MATCHES, {})
    key = (node.nodeid.split("::", 1)[0], step.type, step.name)
    found = matches.get(key)
    if found is None:
        found = matches[key] = [
            fixturedef for fixturedef, context in _visible_step_definitions(fixturemanager, node)
            if (context.type is None or context.type == step.type) and context.parser.is_matching(step.name)]
    return iter(found)


if all(hasattr(_bdd, name) for name in _NEEDED):
    _bdd.find_fixturedefs_for_step = _find_fixturedefs_for_step
