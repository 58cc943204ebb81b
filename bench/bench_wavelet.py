"""Scalogram and cwt speed against PyWavelets (and ssqueezepy when it is installed).

One line per measurement: what, soundimg's time, the reference's time, and the ratio (reference / soundimg),
in one process on the same input, with 2 torch threads. The course's call is `pywt.cwt(y, np.arange(1, 208), 'morl')`
on a 5-second 22.05 kHz clip; the slow PyWavelets conv method runs once only.
Run: python bench/bench_wavelet.py   (PYTHONPATH=<dir with ssqueezepy> to add the ssqueezepy line)"""
import time
import numpy as np
import torch
import pywt
from soundimg.core import synth_audio
from soundimg.wavelet import Scalogram, cwt

torch.set_num_threads(2)
SR, DUR, HOP = 22050, 5.0, 256
WIDTHS = np.arange(1, 208)                                    # the course's 207 Morlet scales


def timeit(f, n=1):
    "Best wall time of `n` runs of `f()`, and its last result"
    best = float('inf')
    for _ in range(n):
        t = time.perf_counter(); r = f(); best = min(best, time.perf_counter() - t)
    return best, r


def line(what, ours, ref, ref_name):
    print(f"{what:<62} soundimg {ours * 1e3:9.1f} ms   {ref_name} {ref * 1e3:9.1f} ms   ratio {ref / ours:7.1f}x", flush=True)


clip = (synth_audio('chirp', sr=SR, duration=DUR, freq=80, f1=1000) + synth_audio('noise', sr=SR, duration=DUR, freq=400, amp=0.1))
y = clip[0].numpy()                                           # float32, as librosa.load gives the course

make = lambda: Scalogram(SR, f_min=80, f_max=1000, n_bands=128, hop_length=HOP, to_db=True)
make()(clip)                                                  # the process's first torch FFT/GEMM pays a one-off warm-up
t_cold, sg = timeit(make)                                     # a new transform: kernels and their spectra
t_first, _ = timeit(lambda: sg(clip))
t_sg, img = timeit(lambda: sg(clip), n=10)
assert img.shape == (1, 128, 1 + len(y) // HOP)

t_conv, _ = timeit(lambda: pywt.cwt(y, WIDTHS, 'morl'))
t_fft, _ = timeit(lambda: pywt.cwt(y, WIDTHS, 'morl', method='fft'), n=2)
line("Scalogram 128 bins hop 256 vs pywt.cwt 207 'morl' (conv)", t_sg, t_conv, 'pywt')
line("Scalogram 128 bins hop 256 vs pywt.cwt 207 'morl' (fft)", t_sg, t_fft, 'pywt')
line("Scalogram incl. construction + first call vs pywt conv", t_cold + t_first, t_conv, 'pywt')
line("Scalogram incl. construction + first call vs pywt fft", t_cold + t_first, t_fft, 'pywt')

t_same, _ = timeit(lambda: pywt.cwt(y, sg.scales, sg.wavelet, method='fft'), n=2)
line("Scalogram vs pywt.cwt same 128 cmor scales (fft), full res", t_sg, t_same, 'pywt')

batch = torch.stack([clip] * 16)
t_batch, out = timeit(lambda: sg(batch), n=3)
line("Scalogram batch of 16 clips, per clip, vs pywt fft 207", t_batch / 16, t_fft, 'pywt')

yt = torch.from_numpy(y)
t_cwt, coef = timeit(lambda: cwt(yt, WIDTHS, 'morl'), n=2)
line("cwt 207 'morl' full coefficients (torch fft) vs pywt fft", t_cwt, t_fft, 'pywt')

try:
    import ssqueezepy
    ssqueezepy.cwt(y[:4096], 'morlet', scales=WIDTHS.astype(np.float32))           # numba compile
    t_ssq, _ = timeit(lambda: ssqueezepy.cwt(y, 'morlet', scales=WIDTHS.astype(np.float32)), n=2)
    line("Scalogram vs ssqueezepy.cwt 207 'morlet' scales", t_sg, t_ssq, 'ssqueezepy')
    line("cwt 207 'morl' (torch fft) vs ssqueezepy.cwt 207 'morlet'", t_cwt, t_ssq, 'ssqueezepy')
except ImportError:
    print("ssqueezepy not installed: skipped (pip install ssqueezepy to compare)")
