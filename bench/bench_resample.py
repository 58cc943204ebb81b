"""Resampling speed: soundimg.resample vs librosa.resample on 64 five-second clips.

Prints one line per measurement: what, soundimg's time, the reference's time, ratio (reference / soundimg,
so > 1 means soundimg is faster). Same process, same input, 2 threads. Run: python bench/bench_resample.py"""
import time, math
import torch, librosa
import torchaudio.functional as AF
from soundimg.core import resample, synth_audio

torch.set_num_threads(2)
N_CLIPS, DUR = 64, 5.0


def best_of(f, n=3):
    "Best wall time of `n` runs of `f`"
    times = []
    for _ in range(n):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return min(times)


def clips(sr):
    return torch.stack([synth_audio('harmonic', sr=sr, duration=DUR, freq=110 + 7 * i, seed=i) for i in range(N_CLIPS)])


def report(what, ours, ref, ref_name):
    print(f"{what:<46} soundimg {ours:7.3f}s  {ref_name} {ref:7.3f}s  ratio {ref / ours:5.2f}x")


for orig, target in [(44100, 16000), (44100, 22050), (22050, 16000)]:
    batch = clips(orig)                                   # (64, 1, T)
    arr = batch[:, 0].numpy()
    ours = best_of(lambda: resample(batch, target))
    loop = best_of(lambda: [librosa.resample(a, orig_sr=orig, target_sr=target) for a in arr])
    report(f"{N_CLIPS} clips {orig}->{target} Hz vs librosa loop", ours, loop, 'librosa')
    batched = best_of(lambda: librosa.resample(arr, orig_sr=orig, target_sr=target))
    report(f"{N_CLIPS} clips {orig}->{target} Hz vs librosa batch", ours, batched, 'librosa')
    ta = best_of(lambda: AF.resample(batch, orig, target))
    report(f"{N_CLIPS} clips {orig}->{target} Hz vs torchaudio", ours, ta, 'torchaudio')
    n = math.ceil(arr.shape[-1] * target / orig)
    assert resample(batch, target).shape == (N_CLIPS, 1, n)
