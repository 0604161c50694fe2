"""The statistics core stays pure: no module under analysis/stats imports Django."""
import ast
from pathlib import Path

import analysis.stats

STATS = Path(analysis.stats.__file__).parent


def test_no_module_imports_django():
    offenders = []
    for path in STATS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert not offenders, offenders
