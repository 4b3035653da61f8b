"""The model package keeps its shape: mechanisms see the world, not the model; one definition of weeks a year."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_mechanism_imports_the_model() -> None:
    offenders = [p.name for p in sorted((ROOT / "sim" / "mechanisms").glob("*.py")) if "sim.model" in p.read_text()]
    assert not offenders, f"mechanisms that import samenkracht.sim.model: {offenders}"


def test_the_model_module_is_short() -> None:
    lines = (ROOT / "sim" / "model.py").read_text(encoding="utf-8").count("\n")
    assert lines < 250, f"sim/model.py has {lines} lines"


def _is_52(number: str) -> bool:
    try:
        return float(number.replace("_", "")) == 52
    except ValueError:  # hexadecimal, octal, binary or imaginary
        return False


def test_weeks_per_year_is_written_once() -> None:
    found = []
    for folder in ("sim", "tools", "benchmarks", "scenarios", "analysis", "app"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "sim" / "time.py":
                continue
            tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
            found += [
                f"{path.relative_to(ROOT)}:{tok.start[0]}"
                for tok in tokens
                if tok.type == tokenize.NUMBER and _is_52(tok.string)
            ]
    assert not found, f"a literal 52 (use samenkracht.sim.time.WEEKS_PER_YEAR): {', '.join(found)}"
