"""An inaudible mark carrying a work's short id in audio (the music previews), numpy only.

The payload is the image watermark's 64 bits (watermark.py: 48 bits of the work id, masked,
and a CRC-16). The mark is keyed spread spectrum with improved (host-informed) embedding:
the audio is cut into symbols of SYMBOL samples at RATE; symbol k carries payload bit
k mod 64 as the sign of a pseudo-random chip band-limited to 1–4 kHz (one of CHIPS, with a
keyed sign per bit). Each symbol's own projection on its chip is removed first, so that
after marking the symbol's correlation with its chip is exactly ±STRENGTH times its
in-band level: the music does not blur the bit, and a detector at the right alignment
sees values of nearly that one size, which noise and unmarked music never show.

Detection tries every sample offset and symbol phase: it keeps alignments where most
symbols correlate at about the marked size (the sync test), reads the 64 bits (summing
repeats) and accepts only a CRC-valid payload. The correlations are normalised by the
symbol's in-band level, so volume does not matter; 64 symbols (6 s) hold the payload, so a
10 s excerpt cut from anywhere carries it. docs/provenance.md has the survival table."""

from __future__ import annotations

import hashlib
import io
import math

import numpy as np
import soundfile
from numpy.typing import NDArray
from scipy.signal import fftconvolve, resample_poly, windows

from atelier.provenance import watermark

RATE = 22_050  # the music previews' rate (studio/previews.py)
SYMBOL = 2048  # samples per bit: 93 ms
BAND = (1_000.0, 4_000.0)  # Hz
CHIPS = 8  # distinct chips, used in turn
BITS = watermark.PAYLOAD_BITS
# The marked symbol's normalised correlation with its chip. The removed projection costs
# more; together they measured 26.0–27.3 dB below the music in the band
# (docs/provenance.md).
STRENGTH = 0.02
# The sync test: a symbol "looks marked" when its |correlation| is within this factor
# of STRENGTH; an alignment is read when at least SYNC of its sounding symbols do. Unmarked
# audio and wrong alignments have correlations spread around 0 with a deviation twice
# STRENGTH: about a third of them fall in the window by chance.
WINDOW = (0.5, 1.5)
SYNC = 0.7
SILENT = 1e-4  # in-band RMS below which a symbol carries nothing (about −80 dBFS)
MAX_DETECT_SECONDS = 40.0  # detection reads at most this much of a file (a preview is ≤ 30 s)
# Sample rates detection reads: resampling from a rate far outside these (any file may
# declare one) would need a filter of billions of taps.
RATES = (8_000, 192_000)
MAX_DETECT_VALUES = 4_000_000  # samples of all channels read at most (32 MB as float64)
KEY = b"atelier audio mark v1"


def _band_limit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    spectrum[(freqs < BAND[0]) | (freqs > BAND[1])] = 0
    return np.fft.irfft(spectrum, len(x))


def _key() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The chips (unit norm, tapered at both ends so symbols join without clicks) and the
    keyed sign of each bit position, drawn from KEY."""
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(KEY).digest()[:8], "big"))
    taper = windows.tukey(SYMBOL, 0.25)
    chips = np.array([_band_limit(rng.standard_normal(SYMBOL)) * taper for _ in range(CHIPS)])
    chips /= np.linalg.norm(chips, axis=1, keepdims=True)
    return chips, rng.choice([-1.0, 1.0], BITS)


_CHIPS, _SIGNS = _key()


def _bits(work_id: str) -> NDArray[np.float64]:
    """The payload as ±1, in the order symbols carry it."""
    bits = np.unpackbits(np.frombuffer(watermark.payload(work_id), dtype=np.uint8))
    return np.where(bits == 1, 1.0, -1.0)


def embed(samples: NDArray[np.float64], work_id: str) -> NDArray[np.float64]:
    """Mono samples at RATE with the work's mark (a new array; a trailing part shorter than
    a symbol and silent symbols are left as they are)."""
    count = len(samples) // SYMBOL
    marked = np.array(samples, dtype=np.float64)
    blocks = marked[: count * SYMBOL].reshape(count, SYMBOL)  # a view: marked in place
    in_band = _band_limit(marked)[: count * SYMBOL].reshape(count, SYMBOL)
    level = np.sqrt(np.sum(in_band**2, axis=1))
    chips = _CHIPS[np.arange(count) % CHIPS]
    bits = (_bits(work_id) * _SIGNS)[np.arange(count) % BITS]
    own = np.sum(blocks * chips, axis=1)
    change = np.where(level >= SILENT * math.sqrt(SYMBOL), STRENGTH * level * bits - own, 0.0)
    blocks += change[:, None] * chips
    return marked


def decode(data: bytes) -> NDArray[np.float64] | None:
    """The first MAX_DETECT_SECONDS of an audio file (anything libsndfile reads: WAV, MP3,
    FLAC, Ogg; at most MAX_DETECT_VALUES samples of all its channels) as mono samples at
    RATE; None when it is not audio libsndfile reads, or its sample rate is outside RATES."""
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            rate = sound.samplerate
            if not RATES[0] <= rate <= RATES[1]:
                return None
            frames = min(int(MAX_DETECT_SECONDS * rate), MAX_DETECT_VALUES // sound.channels)
            samples = sound.read(frames, dtype="float64", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError):
        return None
    mono = samples.mean(axis=1)
    if rate != RATE:
        common = math.gcd(RATE, rate)
        mono = resample_poly(mono, RATE // common, rate // common)
    return mono


def detect(data: bytes) -> str | None:
    """The short work id marked in an audio file, or None when none is found (or it is not
    audio)."""
    samples = decode(data)
    return None if samples is None else detect_samples(samples)


def detect_samples(samples: NDArray[np.float64]) -> str | None:
    """The short work id marked in mono samples at RATE, or None."""
    symbols = (len(samples) - SYMBOL + 1) // SYMBOL  # whole symbols from every offset
    if symbols < BITS:
        return None
    in_band = _band_limit(np.asarray(samples, dtype=np.float64))
    energy = np.concatenate([[0.0], np.cumsum(in_band**2)])
    level = np.sqrt(np.maximum(energy[SYMBOL:] - energy[:-SYMBOL], 0.0))
    # index [o, k]: the k-th whole symbol starting at sample offset o
    starts = np.arange(SYMBOL)[:, None] + SYMBOL * np.arange(symbols)[None, :]
    sounding = level[starts] >= SILENT * math.sqrt(SYMBOL)
    scale = np.where(sounding, 1.0 / np.maximum(level[starts], 1e-12), 0.0)
    correlations = np.array(
        [fftconvolve(samples, chip[::-1], mode="valid")[starts] * scale for chip in _CHIPS]
    )
    low, high = WINDOW[0] * STRENGTH, WINDOW[1] * STRENGTH
    counted = np.maximum(sounding.sum(axis=1), 1)
    for turn in range(CHIPS):  # the chip of the first whole symbol
        chips = (turn + np.arange(symbols)) % CHIPS
        values = correlations[chips, :, np.arange(symbols)].T  # [o, k]
        fits = ((np.abs(values) >= low) & (np.abs(values) <= high) & sounding).sum(axis=1)
        for offset in np.flatnonzero(fits >= SYNC * counted):
            found = _read(values[offset], sounding[offset], turn)
            if found is not None:
                return found
    return None


def _read(values: NDArray[np.float64], sounding: NDArray[np.bool_], turn: int) -> str | None:
    """The payload at one alignment, trying each bit position of the first symbol that
    uses the chip `turn`."""
    for phase in range(turn, BITS, CHIPS):
        soft = _soft_bits(values, sounding, phase)
        if soft is None:
            continue
        found = watermark.read_payload(np.packbits(soft > 0).tobytes())
        if found is not None:
            return found
    return None


def _soft_bits(
    values: NDArray[np.float64], sounding: NDArray[np.bool_], phase: int
) -> NDArray[np.float64] | None:
    """Each bit's summed correlations when the first symbol is bit `phase`; None when a bit
    has no sounding symbol."""
    positions = ((phase + np.arange(len(values))) % BITS)[sounding]
    if len(np.unique(positions)) < BITS:
        return None
    soft = np.zeros(BITS)
    np.add.at(soft, positions, values[sounding] * _SIGNS[positions])
    return soft


def bits_at(samples: NDArray[np.float64], offset: int, first: int) -> NDArray[np.bool_] | None:
    """The payload bits read at a known alignment (symbols start at `offset`, the first of
    them the marked clip's symbol `first`), to count bit errors; detection instead tries
    every alignment. None when some bit has no sounding symbol there."""
    count = (len(samples) - offset) // SYMBOL
    starts = offset + SYMBOL * np.arange(count)
    in_band = _band_limit(np.asarray(samples, dtype=np.float64))
    spans = starts[:, None] + np.arange(SYMBOL)[None, :]
    level = np.sqrt(np.sum(in_band[spans] ** 2, axis=1))
    sounding = level >= SILENT * math.sqrt(SYMBOL)
    chips = _CHIPS[(first + np.arange(count)) % CHIPS]
    values = np.sum(np.asarray(samples)[spans] * chips, axis=1) / np.maximum(level, 1e-12)
    soft = _soft_bits(values, sounding, first % BITS)
    return None if soft is None else soft > 0


def payload_bits(work_id: str) -> NDArray[np.bool_]:
    """The bits the mark of `work_id` carries, in order."""
    return _bits(work_id) > 0
