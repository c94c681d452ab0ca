"""Check that the import contract's layers (pyproject.toml) name every app once, and that
docs/architecture.md draws the same layers. Run by `make lint`, next to lint-imports, which
checks the imports against the layers but not that every app is in one."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return [str(layer) for layer in layers]


def drawn_layers() -> list[str]:
    drawing = (ROOT / "docs" / "architecture.md").read_text().split("```")[1]
    return [re.split(r"\s{2,}", line.strip())[0] for line in drawing.strip().splitlines()]


def problems() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = list(config["root_packages"])
    layered = [app.strip() for layer in contract_layers() for app in re.split(r"[|:]", layer)]
    found = []
    for app in sorted(set(packages) - set(layered)):
        found.append(f"{app} is a root package but in no layer")
    for app in sorted({a for a in layered if layered.count(a) > 1}):
        found.append(f"{app} is in more than one layer")
    for app in sorted(set(layered) - set(packages)):
        found.append(f"{app} is in a layer but not a root package")
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    for app in sorted(apps - set(packages)):
        found.append(f"the app {app} is not a root package of the import contract")
    if drawn_layers() != contract_layers():
        found.append("docs/architecture.md draws other layers than pyproject.toml's contract")
    return found


if __name__ == "__main__":
    found = problems()
    for problem in found:
        print(f"check_layers: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
