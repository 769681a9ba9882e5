"""``python -m model.inputs.schemas [PATH]``: write docs/inputs.md from the schemas."""

import sys
from pathlib import Path

from model.inputs.schemas import inputs_markdown

DOCS_INPUTS = Path(__file__).resolve().parents[3] / "docs" / "inputs.md"

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_INPUTS
    target.write_text(inputs_markdown())
    print(f"wrote {target}")
