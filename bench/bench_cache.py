"""FeatureCache.precompute with 1 and with N worker processes: files per second filling an on-disk cache of
mel spectrograms of ESC-50-like clips (5 s at 22.05 kHz, 1 x 128 x 431), a fresh cache for every run.

Prints one line per worker count: files, seconds (best of --repeats, runs interleaved so load affects all alike),
files/s, the ratio to 1 worker (above 1: faster), and the CPU seconds all processes spent (parent + workers),
which shows the cost of the processes themselves. Each worker computes with one torch thread; 1 worker is the
serial loop, also with one torch thread. On a machine busier than its core count the ratio says little.
Run: python bench/bench_cache.py [--clips-per-class 20] [--workers 2] [--repeats 2]"""
import os, resource, time, shutil
from soundimg.all import synthetic_esc50, load_esc50, FeatureCache, AudioToSpec

from _common import setup

args, tmp = setup(1, 'bench-cache-', __doc__.splitlines()[0], clips_per_class=20, workers=2, repeats=2)

def cpu_seconds():
    return sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ('ru_utime', 'ru_stime'))

try:
    files = load_esc50(synthetic_esc50(tmp / 'esc', n_classes=10, clips_per_class=args.clips_per_class)).audio_path.tolist()
    print(f"{len(files)} clips of 5 s at 22.05 kHz; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    counts = sorted({1, args.workers})
    best, cpu = {w: float('inf') for w in counts}, {}
    for r in range(args.repeats):
        for w in counts:
            cache = FeatureCache(AudioToSpec(n_fft=1024, hop_length=256, n_mels=128), path=tmp / f'cache{w}-{r}', sr=22050, duration=5.0)
            c0, t0 = cpu_seconds(), time.perf_counter()
            cache.precompute(files, progress=False, workers=w)
            s, c = time.perf_counter() - t0, cpu_seconds() - c0
            assert len(cache) == len(files) and cache.misses == len(files), (len(cache), cache.misses)
            if s < best[w]: best[w], cpu[w] = s, c
    for w in counts:
        print(f"FeatureCache.precompute, {w} worker{'s' if w > 1 else ' '}: {len(files)} files in {best[w]:6.2f} s = "
              f"{len(files) / best[w]:6.1f} files/s   ratio to 1 worker {best[1] / best[w]:5.2f}x   CPU {cpu[w]:6.2f} s")
finally: shutil.rmtree(tmp, ignore_errors=True)
