import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_code_has_no_unused_names_undefined_names_or_likely_bugs():
    """ruff with the rules in pyproject.toml ([tool.ruff.lint])."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--output-format", "concise", "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
