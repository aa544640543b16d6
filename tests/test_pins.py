"""The versions installed are the ones pinned in scripts/constraints.txt: what the tests pass
with is what a new machine, the Pi installer and CI install."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parent.parent / "scripts" / "constraints.txt"


def pins() -> dict[str, str]:
    found = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_every_package_the_project_names_is_pinned():
    import tomllib

    project = tomllib.loads((CONSTRAINTS.parent.parent / "pyproject.toml").read_text())["project"]
    named = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        named += extra
    names = {re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", n)[0]).lower() for n in named}
    assert names - set(pins()) == set()


def test_what_is_installed_is_what_is_pinned():
    wrong = {}
    for name, version in pins().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # an extra this setup did not ask for (bench, natural)
        if installed != version:
            wrong[name] = (installed, version)
    assert wrong == {}, "installed, pinned: run scripts/setup.sh --test"
