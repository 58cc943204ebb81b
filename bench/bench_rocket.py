"""MiniRocket speed and accuracy against aeon's numba MiniRocket, on the same clips with the same threads.

aeon cannot live in soundimg's environment (it pins numpy < 2.5 and numba < 0.64), so it runs in a throwaway one:
    python3 -m venv /tmp/rocket-venv && /tmp/rocket-venv/bin/pip install aeon
and this script calls that interpreter on the same clips saved as .npy. One line per measurement: what, soundimg's
time, aeon's time, and the ratio (reference / soundimg, above 1 is faster); then the accuracy of the same
RidgeClassifierCV pipeline on either feature set, on the same split.
Run: python bench/bench_rocket.py [--ref-python /tmp/rocket-venv/bin/python] [--threads 1] [--clips 8]"""
import argparse, json, subprocess, sys, tempfile, textwrap, time
from pathlib import Path
import numpy as np
import torch
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from soundimg.core import load_audio
from soundimg.synthetic import synthetic_esc50
from soundimg.datasets import load_esc50
from soundimg.rocket import MiniRocket, load_clips

REF = textwrap.dedent("""
    import json, sys, time, numpy as np
    from aeon.transformations.collection.convolution_based import MiniRocket
    d, threads = sys.argv[1], int(sys.argv[2])
    out = {}
    warm = np.random.default_rng(0).standard_normal((2, 1, 200)).astype(np.float32)
    MiniRocket(random_state=0, n_jobs=threads).fit(warm).transform(warm)       # numba compiles once
    speed = np.load(f"{d}/speed.npy")
    m = MiniRocket(random_state=0, n_jobs=threads)
    t = time.perf_counter(); m.fit(speed); out['fit_speed'] = time.perf_counter() - t
    best = float('inf')
    for _ in range(2):
        t = time.perf_counter(); f = m.transform(speed); best = min(best, time.perf_counter() - t)
    out['transform_speed'], out['n_features'] = best, int(np.asarray(f).shape[1])
    tr, te = np.load(f"{d}/train.npy"), np.load(f"{d}/test.npy")
    m = MiniRocket(random_state=0, n_jobs=threads).fit(tr)
    np.save(f"{d}/ref_train.npy", np.asarray(m.transform(tr))); np.save(f"{d}/ref_test.npy", np.asarray(m.transform(te)))
    print(json.dumps(out))
""")


def line(what, ours, ref):
    print(f"{what:<66} soundimg {ours:9.3f} s   aeon {ref:9.3f} s   ratio {ref / ours:6.2f}x", flush=True)


def ridge_accuracy(Ftr, ytr, Fte, yte):
    pipe = make_pipeline(StandardScaler(with_mean=False), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
    return float((pipe.fit(Ftr, ytr).predict(Fte) == yte).mean())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--ref-python', default='/tmp/rocket-venv/bin/python')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--clips', type=int, default=8, help='5 s clips at 16 kHz for the speed lines')
    p.add_argument('--sr', type=int, default=8000, help='rate of the accuracy data set (synthetic, 1 s clips)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        # speed: 5 s clips at 16 kHz (real insect recordings when present, else synthetic)
        real = Path(__file__).parents[2] / 'shared/data/insects-esc50/audio'
        real = real if real.is_dir() else Path('/work/shared/data/insects-esc50/audio')
        if real.is_dir():
            files = sorted(f for f in real.glob('*.wav') if f.stat().st_size > 1000)
            clips, what = [], 'insects-esc50'
            for f in files:
                try: y = load_audio(f, sr=16000, mono=True)[0]
                except Exception: continue
                if len(y) >= 80_000: clips.append(y[:80_000].numpy())
                if len(clips) == args.clips: break
        else: clips, what = [], 'synthetic'
        if len(clips) < args.clips:
            src = synthetic_esc50(d / 'speed', n_classes=2, clips_per_class=max(5, args.clips), sr=16000, duration=5.0)
            clips += [load_audio(f, mono=True)[0].numpy() for f in load_esc50(src).audio_path[:args.clips - len(clips)]]
            what = 'synthetic' if not clips else what
        speed = np.stack(clips)[:, None].astype(np.float32)
        np.save(d / 'speed.npy', speed)
        # accuracy: a synthetic ESC-50-style set, fold 1 trains and fold 2 tests
        src = synthetic_esc50(d / 'acc', n_classes=10, clips_per_class=20, sr=args.sr, duration=1.0, folds=2)
        df = load_esc50(src)
        x, lengths, _ = load_clips(df.audio_path.tolist())
        tr, te = torch.from_numpy((df.fold == 1).to_numpy()), torch.from_numpy((df.fold == 2).to_numpy())
        np.save(d / 'train.npy', x[tr].numpy().astype(np.float32)); np.save(d / 'test.npy', x[te].numpy().astype(np.float32))
        y = df.category.to_numpy(); tr_n, te_n = tr.numpy(), te.numpy()

        t = time.perf_counter()
        r = subprocess.run([args.ref_python, '-c', REF, str(d), str(args.threads)], capture_output=True, text=True,
                           env={'NUMBA_NUM_THREADS': str(args.threads), 'OMP_NUM_THREADS': str(args.threads), 'PATH': '/usr/bin:/bin'})
        if r.returncode: sys.exit(f"the reference failed ({args.ref_python}):\n{r.stderr[-2000:]}")
        ref = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"aeon run (compile included) took {time.perf_counter() - t:.1f} s", flush=True)

        X = torch.from_numpy(speed)
        MiniRocket(seed=0).fit(X[:2, :, :2000]).transform(X[:2, :, :2000])                # torch warm-up
        m = MiniRocket(seed=0)
        t = time.perf_counter(); m.fit(X); t_fit = time.perf_counter() - t
        t_tr = min(_time(lambda: m.transform(X)) for _ in range(2))
        n = len(X)
        print(f"{n} clips of 5 s at 16 kHz ({what}), {m.n_features} features (aeon {ref['n_features']}), {args.threads} thread(s)")
        line(f"MiniRocket fit ({n} clips)", t_fit, ref['fit_speed'])
        line(f"MiniRocket transform ({n} clips)", t_tr, ref['transform_speed'])
        print(f"{'features per second':<66} soundimg {n * m.n_features / t_tr:9.0f}     aeon {n * ref['n_features'] / ref['transform_speed']:9.0f}")

        m = MiniRocket(seed=0).fit(x[tr], lengths[tr])
        ours = ridge_accuracy(m(x[tr]).double().numpy(), y[tr_n], m(x[te]).double().numpy(), y[te_n])
        theirs = ridge_accuracy(np.load(d / 'ref_train.npy'), y[tr_n], np.load(d / 'ref_test.npy'), y[te_n])
        print(f"{'RidgeClassifierCV accuracy, synthetic 10 classes, %d train / %d test' % (int(tr.sum()), int(te.sum())):<66} "
              f"soundimg {ours:.3f}   aeon {theirs:.3f}   difference {100 * (ours - theirs):+.1f} points")


def _time(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t


if __name__ == '__main__': main()
