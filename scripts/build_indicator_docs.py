"""Write docs/indicators.md from the built-in indicator records: python scripts/build_indicator_docs.py"""

from __future__ import annotations

from pathlib import Path

from csctools.indicators.docs import render

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
