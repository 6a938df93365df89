"""Root conftest: registers the harness and every step library (pytest refuses pytest_plugins elsewhere).

The plugins the harness imports (evidence, Allure's files, the run budget) come before it: pytest can only
rewrite a plugin it imports itself. Step libraries are the ``steps/*_steps.py`` modules, found by name so that adding one needs no
edit here.
"""

from pathlib import Path

pytest_plugins = ["steps.evidence", "steps.allure_files", "steps.run_budget", "steps.harness", "steps.head_start",
                  "steps.reporting", "steps.step_lookup"] + [
    f"steps.{path.stem}" for path in sorted((Path(__file__).parent / "steps").glob("*_steps.py"))
]
