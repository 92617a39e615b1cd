"""The alarm chime is our own: ``tools/make_chime.py`` makes exactly the committed WAV from arithmetic, and the
sound is a short two-tone chime (two strikes, louder than silence, never clipping)."""

from __future__ import annotations

import importlib.util
import io
import struct
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSET = ROOT / "dashboard" / "assets" / "sounds" / "alarm-chime.wav"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("make_chime", ROOT / "tools" / "make_chime.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_chime_is_what_the_generator_makes() -> None:
    gen = _generator()
    assert gen.wav_bytes() == ASSET.read_bytes()  # type: ignore[attr-defined]


def test_the_chime_is_short_soft_and_has_two_strikes() -> None:
    with wave.open(io.BytesIO(ASSET.read_bytes())) as w:
        rate, n = w.getframerate(), w.getnframes()
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = struct.unpack(f"<{n}h", w.readframes(n))
    assert 1.0 <= n / rate <= 2.5
    peak = max(abs(v) for v in frames)
    assert 8000 < peak < 32000  # audible, never clipping
    # loudness per 20 ms: it rises twice (two strikes) and ends in silence
    win = rate // 50
    level = [max(abs(v) for v in frames[i : i + win]) for i in range(0, n - win, win)]
    rises = sum(1 for a, b in zip([0, *level], level, strict=False) if b > 1.5 * a + 500)
    assert rises == 2, level
    assert max(abs(v) for v in frames[-win // 4 :]) < 300  # faded out
