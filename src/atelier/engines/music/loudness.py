"""Rendered audio brought to one loudness: −16 LUFS integrated (ITU-R BS.1770-4, measured
by pyloudnorm), true peak at most −1 dBFS.

FluidSynth renders a General MIDI soundfont at a level meant for mixing many channels:
one melody comes out around −35 LUFS, far quieter than any other audio a user plays
beside it. −16 LUFS is the level streaming players and podcasts aim at; −1 dBTP leaves
room for the inter-sample peaks a lossy encoder or a resampler adds. A melody has a
high crest factor (a piano attack peaks ~20 dB over its loudness), so after the gain a
look-ahead limiter lowers the few peaks that would pass −1 dBTP: the gain reduction
ramps in and out over 10 ms around each peak, measured on the signal oversampled ×4
(true peak, as BS.1770-4 defines it), and the loudness is measured again after it.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

TARGET_LUFS = -16.0
MAX_TRUE_PEAK_DBFS = -1.0
OVERSAMPLING = 4
CEILING_MARGIN_DB = 0.3  # below −1 dBTP: room for rounding to 16 bits and for the filter
RAMP_SECONDS = 0.010
PASSES = 4  # gain, limit, measure again: 2 passes land within 0.1 LU; 4 is a bound
BLOCK_FRAMES = 32_768  # oversampled a block at a time (`oversampled`)
# Input frames on either side of a block that resample_poly's filter reaches when
# oversampling ×4: its 10 × 4 taps either side of an output sample span 10 input frames.
FILTER_REACH = 11


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS) of float samples shaped (frames, channels)."""
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def oversampled(samples: np.ndarray) -> Iterator[np.ndarray]:
    """The signal oversampled ×4, block after block: the same values as resampling it
    whole (each block is resampled with the input frames its filter reaches on either
    side), without the whole ×4 copy, whose hundreds of megabytes cost more time to
    allocate than to fill and made a render's time vary threefold between runs."""
    frames = len(samples)
    for start in range(0, frames, BLOCK_FRAMES):
        end = min(frames, start + BLOCK_FRAMES)
        low, high = max(0, start - FILTER_REACH), min(frames, end + FILTER_REACH)
        upsampled = resample_poly(samples[low:high], OVERSAMPLING, 1, axis=0)
        yield upsampled[(start - low) * OVERSAMPLING : (end - low) * OVERSAMPLING]


def true_peaks(samples: np.ndarray) -> np.ndarray:
    """Each frame's true peak (linear): the highest of its channels' four oversampled
    values. Oversampling is linear, so the signal times a gain has these peaks times it."""
    if not len(samples):
        return np.zeros(0)
    return np.concatenate(
        [
            np.abs(block).reshape(-1, OVERSAMPLING * block.shape[1]).max(axis=1)
            for block in oversampled(samples)
        ]
    )


def _dbfs(peak: float) -> float:
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def true_peak_dbfs(samples: np.ndarray) -> float:
    """The highest peak of the signal oversampled ×4 (dBFS; −inf for silence)."""
    return _dbfs(float(true_peaks(samples).max(initial=0.0)))


def _limited(samples: np.ndarray, peaks: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """The samples (with these true peaks) with every peak above `ceiling` (linear)
    brought down to it."""
    wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if wanted.min() >= 1.0:
        return samples
    ramp = max(1, round(RAMP_SECONDS * rate))
    # Every gain within a ramp of a peak is at most the peak's own; averaging over the ramp
    # keeps it so, and turns the steps into 10 ms slopes.
    gain = uniform_filter1d(minimum_filter1d(wanted, 2 * ramp + 1), ramp)
    return samples * gain[:, None]


def normalise(samples: np.ndarray, rate: int) -> np.ndarray:
    """Float samples (frames, channels) at −16 LUFS with true peaks at most −1 dBFS.
    Silence (nothing above the measurement's gate) is returned as it is. Each pass
    oversamples the signal once: its peaks serve both the check and the limiter."""
    ceiling = 10 ** ((MAX_TRUE_PEAK_DBFS - CEILING_MARGIN_DB) / 20)
    out = samples.astype(np.float32)
    for _ in range(PASSES):
        loudness = integrated_lufs(out, rate)
        if not np.isfinite(loudness):
            return out
        peaks = true_peaks(out)
        if abs(loudness - TARGET_LUFS) < 0.1 and _dbfs(float(peaks.max())) <= MAX_TRUE_PEAK_DBFS:
            break
        gain = 10 ** ((TARGET_LUFS - loudness) / 20)
        out = _limited(out * gain, peaks * gain, ceiling, rate)
    return out
