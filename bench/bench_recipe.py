"""The main job's default recipe vs the old default: accuracy and time of `soundimg cv --data PATH --folds 1,2,3`, in one run.

Old default: 16 kHz audio (upsampled when the clips are slower), 64 mels, n_fft 1024, hop 512, 5 epochs, no augmentation.
New default: no flags at all: `suggest_spec` settings, `suggest_epochs` (10 on these small sets), `--augment auto`
(`suggest_augment`: none below 30 epochs).
Data: speech-like 'digits' written here (0.5 s at 8 kHz, 10 classes x 60 of formant trajectories, some told apart only
by a 25 ms closure gap or a 40 ms burst, speaker pitch/formant/rate variation, noise), the synthetic ESC-50 (10 classes
x 20), a few-clips synthetic set in ESC-50's spirit (20 classes x 8: ~6 training clips per class), and the real insect
recordings in ../shared/data/insects-esc50 when present (--skip-bad: some files are missing or empty).
Each recipe runs on validation folds --folds (default 1,2,3; accuracy is their mean), old and new in one process.
Prints one line per data set: accuracy old -> new, wall and CPU seconds of each, and the time ratio (new / old, the
brief allows up to 3x; CPU seconds are the steadier measure on a shared machine).
Run: python bench/bench_recipe.py [--threads 2] [--quick] [--folds 1,2,3] [--digits 60] [--only digits,synthetic,few,insects] [--insects PATH]"""
import argparse, contextlib, io, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, soundfile as sf
from soundimg.cli import main as cli
from soundimg.synthetic import synthetic_esc50

OLD = ['--sr', '16000', '--n-mels', '64', '--n-fft', '1024', '--hop-length', '512', '--epochs', '5', '--augment', 'none']
INSECTS = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'insects-esc50'

# each class: (F1, F2) at the start -> at the end, and a consonant: 0 none, 1 high burst, 2 low burst, 3 a 25 ms closure gap
DIGITS = [((300, 2200), (700, 1200), 0), ((700, 1200), (300, 2200), 0), ((500, 1500), (500, 1500), 1), ((300, 900), (650, 1700), 0),
          ((650, 1700), (300, 900), 2), ((400, 2000), (400, 2000), 2), ((300, 2200), (700, 1200), 3), ((700, 1200), (300, 2200), 3),
          ((500, 1000), (400, 2300), 1), ((400, 2300), (500, 1000), 2)]

def digit_clip(c, rng, sr=8000, dur=0.5):
    "One speech-like clip of class `c`: a harmonic source shaped by moving formants, with a speaker's pitch, size and rate"
    (a1, a2), (b1, b2), cons = DIGITS[c]
    n = int(sr * dur); t = np.arange(n) / sr
    f0, scale, rate = rng.uniform(90, 240), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)
    onset = rng.uniform(0.0, 0.12); vdur = min(dur - onset, rng.uniform(0.28, 0.38) * rate)
    u = np.clip((t - onset) / vdur, 0, 1)
    F1, F2 = scale * (a1 + (b1 - a1) * u), scale * (a2 + (b2 - a2) * u)
    f0t = f0 * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    ph = 2 * np.pi * np.cumsum(f0t) / sr
    y = np.zeros(n)
    for k in range(1, int(3800 / f0) + 1):
        fk = k * f0t
        y += (np.exp(-((fk - F1) / 120) ** 2) + 0.6 * np.exp(-((fk - F2) / 160) ** 2) + 0.05) * np.sin(k * ph) * (fk < sr / 2)
    gap = (cons == 3) & (np.abs(t - onset - vdur / 2) < 0.0125)
    y *= np.where((t >= onset) & (t <= onset + vdur), np.sin(np.pi * u) ** 0.5, 0) * ~gap
    if cons in (1, 2):
        bl = int(0.04 * sr); s = max(0, int(onset * sr) - bl); nz = rng.standard_normal(bl)
        nz = np.diff(nz, prepend=0) if cons == 1 else np.cumsum(nz) * 0.1
        m = len(y[s:s + bl]); y[s:s + bl] += 2.0 * nz[:m] * np.hanning(bl)[:m]
    y /= np.abs(y).max() + 1e-9
    y += rng.uniform(0.05, 0.3) * rng.standard_normal(n)
    return (0.5 * y / np.abs(y).max()).astype(np.float32)

def write_digits(dest, per_class=20, folds=5, seed=0, sr=8000):
    "An ESC-50-layout folder of `digit_clip`s"
    dest = Path(dest); (dest / 'audio').mkdir(parents=True); (dest / 'meta').mkdir()
    rng, rows = np.random.default_rng(seed), []
    for c in range(len(DIGITS)):
        for i in range(per_class):
            fold = i % folds + 1; fn = f"{fold}-{c}{i:03d}-A-{c}.wav"
            sf.write(dest / 'audio' / fn, digit_clip(c, rng, sr), sr, subtype='PCM_16')
            rows.append(dict(filename=fn, fold=fold, target=c, category=f"digit{c}", esc10=False, src_file=c * 1000 + i, take='A'))
    pd.DataFrame(rows).to_csv(dest / 'meta' / 'esc50.csv', index=False)
    return dest

def run(data, extra, threads, folds):
    "mean accuracy, wall seconds, CPU seconds of one `soundimg cv --data data --folds folds ...`"
    buf = io.StringIO(); w0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(buf): cli(['cv', '--data', str(data), '--folds', folds, '--quiet', '--threads', str(threads), *extra])
    acc = float(buf.getvalue().splitlines()[-1].split()[2])
    return acc, time.perf_counter() - w0, time.process_time() - c0

def main():
    p = argparse.ArgumentParser(); p.add_argument('--threads', type=int, default=2); p.add_argument('--quick', action='store_true')
    p.add_argument('--only', default='digits,synthetic,few,insects', help="comma-separated data sets to run")
    p.add_argument('--digits', type=int, default=None, help="clips per class of the digits (default 60, 30 with --quick; 270 is FSDD's size)")
    p.add_argument('--folds', default=None, help="validation folds of each run (default 1,2,3; 1 with --quick)")
    p.add_argument('--insects', type=Path, default=INSECTS, help="the insects-esc50 folder (default: ../shared/data/insects-esc50 from the repo)")
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp())
    only, n, folds = a.only.split(','), 10 if a.quick else 20, a.folds or ('1' if a.quick else '1,2,3')
    sets = []
    nd = a.digits or 3 * n
    if 'digits' in only: sets.append((f'digits 0.5 s 8 kHz, 10 classes x {nd}', write_digits(tmp / 'digits', per_class=nd), []))
    if 'synthetic' in only: sets.append((f'synthetic ESC-50 5 s, 10 classes x {n}', synthetic_esc50(tmp / 'synth', n_classes=10, clips_per_class=n,
                                                                                 sr=16000, duration=5.0, folds=5), []))
    if 'few' in only: sets.append(('synthetic few clips 5 s, 20 classes x 8', synthetic_esc50(tmp / 'few', n_classes=20, clips_per_class=8,
                                                                                 sr=16000, duration=5.0, folds=5), []))
    # the insects' own folds put each class in one fold: re-dealt (--refold 5, stratified; one source recording per class, so optimistic)
    if 'insects' in only:
        if a.insects.exists(): sets.append(('insects (real) 5 s, 9 classes, --refold 5', a.insects, ['--skip-bad', '--refold', '5']))
        else: print(f"insects skipped: {a.insects} not found (give --insects PATH)", file=sys.stderr, flush=True)
    for name, data, flags in sets:
        old = run(data, OLD + flags, a.threads, folds); new = run(data, flags, a.threads, folds)
        print(f"{name:<42} folds {folds}  accuracy old {old[0]:.3f} -> new {new[0]:.3f}   wall {old[1]:6.1f}s -> {new[1]:6.1f}s   "
              f"cpu {old[2]:6.1f}s -> {new[2]:6.1f}s   time ratio new/old {new[1] / old[1]:4.2f}x wall, {new[2] / old[2]:4.2f}x cpu", flush=True)

if __name__ == '__main__': main()
