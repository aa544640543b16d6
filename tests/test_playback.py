"""The playback log: what the coach said and how loud it played, as the listener reads it."""

from __future__ import annotations

import threading

from voice_coach.core.playback import KEEP_SECONDS, PlaybackLog


def test_words_said_in_virtual_time_and_cut_short():
    log = PlaybackLog()
    log.said(1.0, 3.0, "Rub the arch.")
    log.said(4.0, 6.0, "Good.")
    assert log.speaking_between(0.0, 1.0) is None
    assert log.speaking_between(2.5, 4.5) == "Rub the arch. Good."
    log.cut(5.0)  # "stop" at 5 s
    assert log.speaking_between(5.2, 7.0) is None


def test_words_being_said_in_real_time_last_until_they_end():
    log = PlaybackLog()
    log.began(10.0, "Press with your thumbs.")
    assert log.speaking_between(100.0, 101.0) == "Press with your thumbs."
    log.ended(12.0)
    assert log.speaking_between(12.5, 13.0) is None
    assert log.speaking_between(11.0, 11.5) == "Press with your thumbs."


def test_levels_are_read_by_time_and_forgotten_after_a_while():
    log = PlaybackLog(audible=True)
    for index in range(100):
        log.played(index * 0.01, (index + 1) * 0.01, 0.1 if index < 50 else 0.4)
    assert log.level(0.0, 0.3) == 0.1
    assert log.level(0.45, 0.6) == 0.4
    assert log.level(2.0, 3.0) == 0.0
    log.played(KEEP_SECONDS + 5, KEEP_SECONDS + 5.01, 0.2)
    assert log.level(0.0, 1.0) == 0.0  # older than the log keeps


def test_a_sound_card_stamps_with_its_own_clock():
    log = PlaybackLog(audible=True)
    log.played_monotonic(999.0, 0.02, 0.3, bytes(8), 16000)  # before the session clock started
    assert log.audio_after(0) == []  # nothing to place it by: not logged
    log.origin = 1000.0  # time.monotonic() when the session began
    log.played_monotonic(1002.0, 0.02, 0.3)
    assert log.level(1.99, 2.01) == 0.3


def test_writers_and_a_reader_on_other_threads():
    log = PlaybackLog(audible=True)

    def write() -> None:
        for index in range(2000):
            log.played(index * 0.01, (index + 1) * 0.01, 0.5)

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        assert log.level(0.0, 100.0) in (0.0, 0.5)
    writer.join()
    assert log.level(19.0, 20.0) == 0.5


def test_the_audio_itself_is_kept_for_the_last_seconds():
    from voice_coach.core.playback import KEEP_AUDIO_SECONDS

    log = PlaybackLog(audible=True)
    block = b"\x00\x00\x80\x3e" * 160  # 160 samples of 0.25 (float32)
    for index in range(100):
        log.played(index * 0.01, (index + 1) * 0.01, 0.25, block, 16000)
    kept = log.audio_after(95)
    assert [(b.index, round(b.start, 2), b.rate) for b in kept] == [
        (96, 0.95, 16000), (97, 0.96, 16000), (98, 0.97, 16000), (99, 0.98, 16000),
        (100, 0.99, 16000)]  # fmt: skip
    assert kept[0].samples == block and log.audio_after(100) == []
    log.played(KEEP_AUDIO_SECONDS + 1, KEEP_AUDIO_SECONDS + 1.01, 0.25, block, 16000)
    assert [b.index for b in log.audio_after(0)] == [101]  # older audio is forgotten
    assert log.level(0.0, 1.0) == 0.25  # the level stays longer


def test_a_line_longer_than_that_logged_at_once_is_kept_until_read():
    # A virtual run logs a whole 15 s line as it begins: the echo canceller must get all of it.
    log = PlaybackLog(audible=True)
    block = b"\x00\x00\x80\x3e" * 160
    for index in range(1500):
        log.played(index * 0.01, (index + 1) * 0.01, 0.25, block, 16000)
    assert log.audio_after(0)[0].start == 0.0


def test_blocks_come_in_the_order_played_even_when_their_time_stamps_overlap():
    # A sound card's callback runs in bursts: its blocks' stamps (when each is heard) overlap.
    log = PlaybackLog(audible=True)
    for index, start in enumerate((0.0, 0.001, 0.002, 0.06)):
        log.played(start, start + 0.02, 0.1, bytes([index]) * 4, 16000)
    assert [b.samples[0] for b in log.audio_after(1)] == [1, 2, 3]
