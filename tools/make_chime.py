"""Synthesize the alarm chime: a short, soft two-tone "ding-dong" (G5 then E5, each a bell-like tone with a few
decaying partials), 22.05 kHz mono 16-bit WAV, written to ``dashboard/assets/sounds/alarm-chime.wav``. Made here
from arithmetic alone (no downloaded sound); the output is committed and the same bytes come out every run
(``tests/dashboard/test_alarm_chime.py`` checks that). Run: ``.venv/bin/python tools/make_chime.py [OUT]``.
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "dashboard" / "assets" / "sounds" / "alarm-chime.wav"
RATE = 22050
#: (start s, fundamental Hz, peak amplitude): the two strikes of the chime
STRIKES = ((0.0, 783.99, 0.55), (0.42, 659.25, 0.6))
#: (frequency multiple, relative amplitude, decay time constant in s): a soft bell
PARTIALS = ((1.0, 1.0, 0.55), (2.0, 0.32, 0.28), (3.0, 0.12, 0.16), (4.2, 0.05, 0.09))
LENGTH_S = 1.7
ATTACK_S = 0.006
FADE_S = 0.08


def samples() -> list[int]:
    """The chime as 16-bit signed samples."""
    n = int(LENGTH_S * RATE)
    out = []
    for i in range(n):
        t = i / RATE
        v = 0.0
        for start, f0, peak in STRIKES:
            dt = t - start
            if dt < 0:
                continue
            env = min(1.0, dt / ATTACK_S)
            for mult, amp, tau in PARTIALS:
                v += peak * amp * env * math.exp(-dt / tau) * math.sin(2 * math.pi * f0 * mult * dt)
        tail = (LENGTH_S - t) / FADE_S
        if tail < 1.0:
            v *= max(0.0, tail)
        out.append(max(-32767, min(32767, round(v * 0.5 * 32767))))
    return out


def wav_bytes() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{int(LENGTH_S * RATE)}h", *samples()))
    return buf.getvalue()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    data = wav_bytes()
    out.write_bytes(data)
    print(f"{out}: {len(data)} bytes, {LENGTH_S} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
