"""docs/interviews.md names every public function of the interview and coding modules."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from analysis import coding
from surveys import coding_services, interview_services

DOC = (Path(__file__).resolve().parents[2] / "docs" / "interviews.md").read_text(encoding="utf-8")


def public_functions(module):
    return [name for name, obj in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and obj.__module__ == module.__name__]


@pytest.mark.parametrize("module", [coding, coding_services, interview_services])
def test_every_public_function_is_documented(module):
    missing = [name for name in public_functions(module) if f"{name}" not in DOC]
    assert not missing, f"{module.__name__}: not in docs/interviews.md: {missing}"
