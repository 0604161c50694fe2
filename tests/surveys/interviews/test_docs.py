"""docs/interviews.md names every public function of the interview and coding modules."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from analysis.frames import coding
from surveys.coding import selectors as coding_selectors
from surveys.coding import services as coding_services
from surveys.interviews import selectors as interview_selectors
from surveys.interviews import services as interview_services

DOC = (Path(__file__).resolve().parents[3] / "docs" / "interviews.md").read_text(encoding="utf-8")


def public_functions(module):
    return [name for name, obj in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and obj.__module__ == module.__name__]


@pytest.mark.parametrize(
    "module", [coding, coding_services, coding_selectors, interview_services, interview_selectors])
def test_every_public_function_is_documented(module):
    missing = [name for name in public_functions(module) if f"{name}" not in DOC]
    assert not missing, f"{module.__name__}: not in docs/interviews.md: {missing}"
