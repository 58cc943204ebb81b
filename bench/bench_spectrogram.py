"""Speed and memory of soundimg.spectrogram against librosa on the same clips, in one process.

Run: python bench/bench_spectrogram.py
Prints one line per measurement: what, soundimg time, reference time, ratio (reference / soundimg,
so > 1 means soundimg is faster). 2 torch threads; librosa uses numpy's FFT (one thread).

Memory: torch's CPU allocations are invisible to tracemalloc. Two measurements, in a fresh child
process that allocates the input batch and warms up on 4 clips first:
1. torch's own count: the maximum of "Total Allocated" over the memory events of
   `torch.profiler.profile(profile_memory=True)` around one call (bytes held by torch's CPU allocator
   during the call, input excluded);
2. the growth of the process's peak resident set size (VmHWM, reset through /proc/self/clear_refs
   just before the call) over its resident size then, with MALLOC_MMAP_THRESHOLD_=131072 so glibc unmaps large freed blocks at once
   (this also counts one-off costs such as thread-pool stacks and FFT plans, so it is an upper bound).
Both are compared with the size of the batch's complex STFT plus the output, the budget the issue sets.
"""
import os, subprocess, sys, time
# OpenMP threads that spin while waiting lose their time slices on an oversubscribed machine (the shared
# 2-core box this was written on ran at load 6-7: 2 torch threads were then 4x slower than 1). Passive
# waiting costs nothing on a quiet machine; set OMP_WAIT_POLICY yourself to compare.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
import numpy as np
import torch

SR, N_CLIPS, SECONDS, N_FFT, HOP, N_MELS = 44100, 64, 5.0, 1024, 512, 128


def _batch():
    rng = np.random.default_rng(0)
    return rng.uniform(-0.5, 0.5, (N_CLIPS, int(SR * SECONDS))).astype(np.float32)


def _best(*fs, repeat=5):
    "Fastest of `repeat` runs of each of `fs` in seconds, runs interleaved (after one warm-up each) so load affects all alike"
    for f in fs: f()
    times = [[] for _ in fs]
    for _ in range(repeat):
        for f, ts in zip(fs, times):
            t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return [min(ts) for ts in times]


def _line(what, ours, ref, unit='s'):
    print(f"{what:<58} soundimg {ours:8.3f} {unit}  reference {ref:8.3f} {unit}  ratio {ref / ours:5.2f}x", flush=True)


def bench_speed():
    import librosa
    print(f"# torch {torch.__version__}, librosa {librosa.__version__}, 2 torch threads, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    from soundimg.spectrogram import mel_spectrogram, stft_power, AudioToSpec, SpecConfig
    from soundimg.core import AudioTensor
    torch.set_num_threads(2)
    y = _batch()
    x = torch.from_numpy(y)
    kw = dict(n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    ours = mel_spectrogram(x, SR, **kw)
    ref = librosa.feature.melspectrogram(y=y, sr=SR, **kw)
    err = float(np.abs(ours.numpy() - ref).max() / ref.max())
    assert err < 1e-3, f"mismatch {err}"
    t_ours, t_ref = _best(lambda: mel_spectrogram(x, SR, **kw), lambda: librosa.feature.melspectrogram(y=y, sr=SR, **kw), repeat=7)
    _line(f"mel_spectrogram {N_CLIPS}x{SECONDS:g}s@{SR} (one batched librosa call)", t_ours, t_ref)
    print(f"{'  clips per second (soundimg, librosa)':<58} {N_CLIPS / t_ours:8.1f}  {N_CLIPS / t_ref:8.1f}")
    t_ours, t_loop = _best(lambda: mel_spectrogram(x, SR, **kw), lambda: [librosa.feature.melspectrogram(y=c, sr=SR, **kw) for c in y], repeat=2)
    _line(f"mel_spectrogram {N_CLIPS}x{SECONDS:g}s@{SR} (librosa clip by clip)", t_ours, t_loop)
    t_ours, t_ref = _best(lambda: stft_power(x, n_fft=N_FFT, hop_length=HOP), lambda: np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)) ** 2)
    _line(f"stft_power {N_CLIPS}x{SECONDS:g}s@{SR} vs |librosa.stft|**2", t_ours, t_ref)
    a2s = AudioToSpec(SpecConfig(sr=SR, **kw))
    xa = AudioTensor(x[:, None], sr=SR)
    t_ours, t_ref = _best(lambda: a2s(xa), lambda: librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, **kw)))
    _line("AudioToSpec mel+dB vs melspectrogram+power_to_db", t_ours, t_ref)


def _torch_peak_bytes(f):
    "Peak bytes held by torch's CPU allocator while `f()` runs, from the profiler's memory events"
    import json, tempfile
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], profile_memory=True) as prof:
        out = f()
    with tempfile.TemporaryDirectory() as d:
        fn = os.path.join(d, 'trace.json')
        prof.export_chrome_trace(fn)
        with open(fn) as fh: events = json.load(fh)['traceEvents']
    totals = [e['args']['Total Allocated'] for e in events if e.get('name') == '[memory]']
    return max(totals), out


def _status_kib(key):
    with open('/proc/self/status') as fh:
        return int(next(l for l in fh if l.startswith(key + ':')).split()[1])


def _mem_child():
    "In a fresh process: RSS growth and torch's allocator peak for one mel_spectrogram call on the batch"
    from soundimg.spectrogram import mel_spectrogram
    torch.set_num_threads(2)
    x = torch.from_numpy(_batch())
    call = lambda: mel_spectrogram(x, SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    mel_spectrogram(x[:4], SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)   # load libraries, thread pools, FFT plans
    with open('/proc/self/clear_refs', 'w') as fh: fh.write('5')      # reset the peak RSS (VmHWM) to the current RSS
    before_rss = _status_kib('VmRSS') * 1024
    out = call()
    peak = _status_kib('VmHWM') * 1024
    del out
    torch_peak, out = _torch_peak_bytes(call)
    print(peak - before_rss, torch_peak, out.numel() * out.element_size())


def bench_memory():
    # a fixed mmap threshold makes glibc return every large freed block at once, so RSS tracks live memory
    env = {**os.environ, 'MALLOC_MMAP_THRESHOLD_': '131072'}
    res = subprocess.run([sys.executable, __file__, '--mem-child'], capture_output=True, text=True, check=True, env=env)
    grow_rss, torch_peak, out_bytes = map(int, res.stdout.split()[-3:])
    frames = 1 + int(SR * SECONDS) // HOP
    stft_bytes = N_CLIPS * (N_FFT // 2 + 1) * frames * 8            # complex64
    budget = stft_bytes + out_bytes
    MB = 2 ** 20
    print(f"{'peak memory of mel_spectrogram, torch allocator (MiB)':<58} soundimg {torch_peak / MB:8.1f} MiB  budget STFT+output {budget / MB:8.1f} MiB  ratio {budget / torch_peak:5.2f}x", flush=True)
    print(f"{'peak memory of mel_spectrogram, RSS growth (MiB)':<58} soundimg {grow_rss / MB:8.1f} MiB  budget STFT+output {budget / MB:8.1f} MiB  ratio {budget / max(grow_rss, 1):5.2f}x", flush=True)


if __name__ == '__main__':
    if '--mem-child' in sys.argv: _mem_child()
    else:
        bench_speed()
        bench_memory()
