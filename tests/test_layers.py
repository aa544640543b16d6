"""The package's folders are layers and imports go one way only, from the top down:

    app        the command line, composing a run, settings, doctor, the terminal
    run        the runner and its drivers, clocks, saving, the transcript
    listening  speaking      (side by side: neither imports the other)
    audio      PCM values, devices, microphones, the simulated room
    core       intents, routines, plans, the session; ports.py (the seams) beside it

Read from the source with ast, so a violation names its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voice_coach"
RANK = {"core": 0, "audio": 1, "listening": 2, "speaking": 2, "run": 3, "app": 4}


def layer(module: str) -> str | None:
    """The layer of ``voice_coach.x.y`` (None for the package itself and __main__)."""
    parts = module.split(".")
    if parts[0] != "voice_coach" or len(parts) < 2:
        return None
    if parts[1] == "ports":
        return "core"  # the seams are protocols over core values, importable by every layer
    return parts[1] if parts[1] in RANK else None


def imports() -> list[tuple[str, int, str, str]]:
    """(file, line, importing layer, imported module) for every import of the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [n for n in names if layer(n)] or [node.module]
                found += [(str(path.relative_to(PACKAGE.parent)), node.lineno, module, targets[0])]
            elif isinstance(node, ast.Import):
                found += [(str(path.relative_to(PACKAGE.parent)), node.lineno, module, alias.name)
                          for alias in node.names]  # fmt: skip
    return found


def test_every_module_lives_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py")
             if p.name not in ("__init__.py", "__main__.py", "ports.py")]  # fmt: skip
    assert loose == []


def test_imports_only_go_down_or_across_within_a_layer():
    wrong = []
    for where, line, importer, imported in imports():
        mine, theirs = layer(importer), layer(imported)
        if mine is None or theirs is None or mine == theirs:
            continue
        if RANK[theirs] >= RANK[mine]:
            wrong.append(f"{where}:{line}: {mine} imports {imported} ({theirs})")
    assert wrong == []


def test_the_core_imports_no_device_or_engine_library():
    heavy = ("sounddevice", "pocketsphinx", "vosk", "pyttsx3", "onnxruntime", "soxr", "numpy")
    used = [f"{where}:{line}: {imported}" for where, line, importer, imported in imports()
            if layer(importer) == "core" and imported.split(".")[0] in heavy]  # fmt: skip
    assert used == []
