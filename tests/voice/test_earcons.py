"""The three tones, and one file per utterance: tone, a gap, then the words."""

from __future__ import annotations

import itertools
from array import array
from pathlib import Path

import pytest

from tests.voice.parts import ToneEngine
from treadctl.voice.earcons import GAP_S, PATTERNS, earcon_length_s, earcon_samples
from treadctl.voice.engines import VoiceParams
from treadctl.voice.render import Renderer
from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import WavFormat, duration_s, peak, read_wav, rms

FMT = WavFormat(22050, 1)


def pitches(earcon: Earcon) -> list[float]:
    """The pitch of each sounding note, in Hz, measured from zero crossings."""
    samples = earcon_samples(earcon, FMT, 100)
    out, start = [], 0
    for freq_hz, length_s in PATTERNS[earcon]:
        count = round(length_s * FMT.rate_hz)
        note = samples[start : start + count]
        start += count
        if freq_hz <= 0:
            assert peak(note) == 0
            continue
        crossings = sum(1 for a, b in itertools.pairwise(note) if a < 0 <= b)
        out.append(crossings / length_s)
    return out


def test_turn_now_climbs_stop_falls_alert_beeps_on_one_pitch() -> None:
    turn, stop, alert = pitches(Earcon.TURN_NOW), pitches(Earcon.STOP), pitches(Earcon.ALERT)
    assert turn == sorted(turn)
    assert turn[-1] > 1.5 * turn[0]
    assert stop == sorted(stop, reverse=True)
    assert stop[0] > 1.5 * stop[-1]
    assert len(alert) == 3
    assert max(alert) - min(alert) < 0.05 * alert[0]
    assert min(alert) > max(turn[0], stop[-1])  # the highest: it must cut through
    for measured, (freq_hz, _) in zip(
        turn, [n for n in PATTERNS[Earcon.TURN_NOW] if n[0] > 0], strict=True
    ):
        assert measured == pytest.approx(freq_hz, rel=0.1)


@pytest.mark.parametrize("earcon", list(Earcon))
def test_each_tone_is_short_loud_enough_and_starts_without_a_click(earcon: Earcon) -> None:
    samples = earcon_samples(earcon, FMT, 100)
    assert len(samples) / FMT.rate_hz == pytest.approx(earcon_length_s(earcon), abs=1e-3)
    assert 0.3 <= earcon_length_s(earcon) <= 0.8
    assert 0.4 <= peak(samples) <= 0.55
    assert abs(samples[0]) < 100  # faded in


def test_volume_scales_the_tones_and_stereo_doubles_them() -> None:
    loud = earcon_samples(Earcon.ALERT, FMT, 100)
    quiet = earcon_samples(Earcon.ALERT, FMT, 25)
    assert rms(quiet) == pytest.approx(rms(loud) / 4, rel=0.02)
    assert rms(earcon_samples(Earcon.ALERT, FMT, 0)) == 0
    stereo = earcon_samples(Earcon.ALERT, WavFormat(22050, 2), 100)
    assert len(stereo) == 2 * len(loud)
    assert stereo[0::2] == stereo[1::2] == loud


def test_an_utterance_is_one_file_tone_gap_words(tmp_path: Path) -> None:
    renderer = Renderer(ToneEngine(VoiceParams(rate_wpm=120)), tmp_path)
    clip = renderer.render_now("Turn around now, face backward.", Earcon.TURN_NOW)
    assert clip is not None
    words_s = 5 * 60 / 120
    assert clip.duration_s == pytest.approx(
        earcon_length_s(Earcon.TURN_NOW) + GAP_S + words_s, abs=0.01
    )
    assert duration_s(clip.path) == pytest.approx(clip.duration_s)
    fmt, samples = read_wav(clip.path)
    tone_n = len(earcon_samples(Earcon.TURN_NOW, fmt, 100))
    gap = samples[tone_n : tone_n + round(GAP_S * fmt.rate_hz)]
    assert rms(samples[:tone_n]) > 0.1
    assert peak(gap) == 0
    assert rms(samples[tone_n + len(gap) :]) > 0.1
    # Rendered once: the same tone and words again come from the cache.
    assert renderer.render_now("Turn around now, face backward.", Earcon.TURN_NOW) is clip
    assert (renderer.stats.renders, renderer.stats.hits) == (1, 1)


def test_tones_without_an_engine_and_nothing_for_words_alone(tmp_path: Path) -> None:
    renderer = Renderer(None, tmp_path)
    tone = renderer.render_now("Turn around now.", Earcon.TURN_NOW)
    assert tone is not None
    assert tone.text == ""  # the words are not in it
    assert tone.duration_s == pytest.approx(earcon_length_s(Earcon.TURN_NOW), abs=1e-3)
    assert renderer.render_now("Halfway.", None) is None


def test_without_the_cache_every_request_renders_anew(tmp_path: Path) -> None:
    renderer = Renderer(ToneEngine(), tmp_path, cache=False)
    first = renderer.render_now("One.", None)
    second = renderer.render_now("One.", None)
    assert first is not None
    assert second is not None
    assert first.path != second.path
    assert (renderer.stats.renders, renderer.stats.hits) == (2, 0)


def test_a_wav_that_is_not_16_bit_is_refused(tmp_path: Path) -> None:
    import wave  # noqa: PLC0415

    from treadctl.voice.wavs import WavError  # noqa: PLC0415

    path = tmp_path / "eight.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(800))
    with pytest.raises(WavError, match="8-bit"):
        read_wav(path)
    (tmp_path / "junk.wav").write_bytes(b"not a wav")
    with pytest.raises(WavError, match="not a readable WAV"):
        read_wav(tmp_path / "junk.wav")
    assert rms(array("h")) == 0.0
