"""Finding routines: the ones shipped with the package and the user's own."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from voice_coach.core.errors import CoachError, UnknownRoutineError
from voice_coach.core.paths import user_routines_dir
from voice_coach.core.routine import Routine, load_routine


@dataclass(frozen=True)
class Found:
    """A routine file, loaded (``routine``) or not (``error``)."""

    path: Path
    source: str
    """``"shipped"`` or ``"user"``."""
    routine: Routine | None
    error: CoachError | None


def shipped_dir() -> Path:
    return Path(str(resources.files("voice_coach") / "routines"))


def scan() -> list[Found]:
    """Every routine file, shipped first; user files with the same id and locale win."""
    found: list[Found] = []
    for source, folder in (("shipped", shipped_dir()), ("user", user_routines_dir())):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                found.append(Found(path, source, load_routine(path), None))
            except CoachError as exc:
                found.append(Found(path, source, None, exc))
    return found


def find_routine(name: str, locale: str) -> Routine:
    """The routine called ``name`` for ``locale`` (the user's own first), or a file path."""
    if name.endswith(".toml") or "/" in name:
        return load_routine(Path(name))
    matches = [f.routine for f in scan() if f.routine and f.routine.id == name]
    for routine in reversed(matches):
        if routine.locale == locale:
            return routine
    if matches:
        locales = ", ".join(sorted({r.locale for r in matches}))
        raise UnknownRoutineError(
            f"routine '{name}' is not available in locale '{locale}' (it is in: {locales})"
        )
    known = ", ".join(sorted({f.routine.id for f in scan() if f.routine})) or "none"
    raise UnknownRoutineError(
        f"no routine called '{name}'; known routines: {known}. "
        f"Add your own as a .toml file in {user_routines_dir()}"
    )
