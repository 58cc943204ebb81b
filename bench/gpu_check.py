"""One command for a borrowed GPU machine: install, run every notebook with its `#| cuda` cells, benchmark the
GPU transforms against torchaudio (and nnAudio when importable), and time an ESC-50-sized training epoch.

Run from the repository root:   python bench/gpu_check.py
  --no-install      use the environment as it is (default: `pip install -e ".[dev]"` into this Python first;
                    pip leaves an installed torch alone, soundimg only sets lower bounds)
  --wheelhouse DIR  install offline from wheels in DIR (pip --no-index --find-links DIR)
  --budget S        seconds for the whole check (default 450); steps that would start later are skipped with a line
  --dry-run         tiny sizes on the CPU, notebooks listed but not run: checks this script's own plumbing.
                    Without a CUDA device this is what happens, and the script says so and exits 0.

Prints one line per figure: `what  soundimg <time>  <reference> <time>  ratio <reference / soundimg>x` (above 1:
soundimg is faster), the GPU-over-CPU speed-up of the same soundimg code, one line per notebook, and the epoch
time. Designed to finish in under 8 minutes on one data-centre GPU.
"""
import argparse, importlib, json, os, re, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T0 = time.perf_counter()


def say(*a): print(*a, flush=True)
def elapsed(): return time.perf_counter() - T0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--no-install', action='store_true')
    p.add_argument('--wheelhouse', default=None)
    p.add_argument('--budget', type=float, default=450.)
    p.add_argument('--dry-run', action='store_true')
    p.add_argument('--skip', default='', help="comma-separated steps to skip: install,notebooks,bench,epoch")
    return p.parse_args(argv)


# ---------------------------------------------------------------- install
def install_cmd(wheelhouse=None):
    cmd = [sys.executable, '-m', 'pip', 'install', '-q', '-e', f"{ROOT}[dev]"]
    if wheelhouse: cmd += ['--no-index', '--find-links', str(wheelhouse)]
    return cmd


def install(args, dry):
    cmd = install_cmd(args.wheelhouse)
    if dry or args.no_install:
        say(f"install: {'skipped (--no-install)' if args.no_install else 'dry run, would run'}: {' '.join(cmd)}")
        return
    torch_before = _torch_version()
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ['']
    say(f"install: {'ok' if r.returncode == 0 else 'FAILED (' + tail[0][:200] + ')'} in {time.perf_counter() - t:.0f} s; "
        f"torch {torch_before} -> {_torch_version()}")


def _torch_version():
    r = subprocess.run([sys.executable, '-c', 'import torch; print(torch.__version__)'], capture_output=True, text=True)
    return r.stdout.strip() or 'absent'


# ---------------------------------------------------------------- notebooks
def cuda_cells(nb_path):
    "Number of code cells flagged `#| cuda` (and not `#| slow`) in a notebook"
    n = 0
    for c in json.loads(Path(nb_path).read_text())['cells']:
        if c['cell_type'] != 'code': continue
        flags = {m for l in ''.join(c['source']).splitlines() for m in re.findall(r'^#\|\s*(\w+)\s*$', l.strip())}
        n += 'cuda' in flags and 'slow' not in flags
    return n


def notebooks():
    nbs = ROOT / 'nbs'
    return [p for p in sorted(nbs.rglob('*.ipynb'))
            if not any(part.startswith(('.', '_')) for part in p.relative_to(nbs).parts) and not (p.parent / '.notest').exists()]


def run_notebooks(dry, budget):
    from nbdev.config import get_config
    from nbdev.test import test_nb
    import torch
    cfg = get_config(ROOT)
    flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    skip = [f for f in flags if f != 'cuda']
    nbs = notebooks()
    say(f"notebooks: {len(nbs)}, {sum(map(cuda_cells, nbs))} cuda cells, skipping cells flagged {skip}")
    failed = []
    for nb in nbs:
        name = str(nb.relative_to(ROOT / 'nbs'))
        if dry: say(f"notebook {name:<36} dry run: not run ({cuda_cells(nb)} cuda cells)"); continue
        if elapsed() > budget: say(f"notebook {name:<36} skipped: over the time budget"); continue
        threads = torch.get_num_threads()
        try: ok, secs = test_nb(nb, skip_flags=skip, basepath=ROOT, cell_timeout=300)
        finally: torch.set_num_threads(threads)
        if not ok: failed.append(name)
        say(f"notebook {name:<36} {'ok    ' if ok else 'FAILED'} {secs:6.1f} s  ({cuda_cells(nb)} cuda cells)")
    return failed


# ---------------------------------------------------------------- benchmarks
def timer(dev, repeats=5):
    import torch
    def best(f):
        f()
        ts = []
        for _ in range(repeats):
            if dev.type == 'cuda': torch.cuda.synchronize()
            t = time.perf_counter(); f()
            if dev.type == 'cuda': torch.cuda.synchronize()
            ts.append(time.perf_counter() - t)
        return min(ts)
    return best


def line(what, ours, ref=None, ref_name=''):
    if ref is None: say(f"{what:<58} soundimg {ours * 1e3:9.2f} ms   {ref_name}"); return
    say(f"{what:<58} soundimg {ours * 1e3:9.2f} ms   {ref_name:<16} {ref * 1e3:9.2f} ms   ratio {ref / ours:6.2f}x")


def _nnaudio():
    try: return importlib.import_module('nnAudio.features')
    except Exception as e:
        say(f"nnAudio: not importable ({type(e).__name__}); its comparisons are skipped")
        return None


def bench(dev, dry):
    import torch
    import torchaudio.transforms as T
    from soundimg.all import AudioTensor, AudioToSpec, Scalogram, SpecAugment
    torch.manual_seed(0)
    n, sr, secs = (4, 16000, 0.5) if dry else (64, 22050, 5.0)
    best, cpu_best = timer(dev, 2 if dry else 5), timer(torch.device('cpu'), 1 if dry else 2)
    clips = torch.randn(n, 1, int(sr * secs)) * 0.1
    x = AudioTensor(clips.to(dev), sr=sr)
    x_cpu = AudioTensor(clips, sr=sr)
    tag = f"{n} clips x {secs:g} s @ {sr // 1000} kHz"
    nna = _nnaudio()

    # mel spectrogram in dB
    ours = AudioToSpec(n_fft=1024, hop_length=256, n_mels=128, sr=sr, mel_scale='htk', norm=None).to(dev)
    ta = torch.nn.Sequential(T.MelSpectrogram(sr, n_fft=1024, hop_length=256, n_mels=128), T.AmplitudeToDB('power', top_db=80)).to(dev)
    plain = x.as_subclass(torch.Tensor)
    t_ours = best(lambda: ours(x))
    line(f"mel spectrogram (dB), {tag}", t_ours, best(lambda: ta(plain)), 'torchaudio')
    if nna is not None:
        try:
            nn_mel = nna.MelSpectrogram(sr=sr, n_fft=1024, hop_length=256, n_mels=128, verbose=False).to(dev)
            ours_pow = AudioToSpec(ours.cfg, to_db=False).to(dev)
            line(f"mel spectrogram (power), {tag}", best(lambda: ours_pow(x)), best(lambda: nn_mel(plain[:, 0])), 'nnAudio')
        except Exception as e: say(f"mel spectrogram vs nnAudio: skipped ({type(e).__name__}: {e})")
    if dev.type == 'cuda':
        line(f"mel spectrogram (dB), {tag}, GPU vs CPU", t_ours, cpu_best(lambda: AudioToSpec(ours.cfg)(x_cpu)), 'same code on CPU')

    # wavelet scalogram
    scal = Scalogram(sr, f_min=50., f_max=sr * 0.45, n_bands=84, hop_length=256, to_db=False).to(dev)
    t_scal = best(lambda: scal(x))
    if nna is not None:
        try:
            cqt = nna.CQT(sr=sr, hop_length=256, fmin=50., n_bins=84, bins_per_octave=12, verbose=False).to(dev)
            line(f"scalogram (84 bins) vs constant-Q transform, {tag}", t_scal, best(lambda: cqt(plain[:, 0])), 'nnAudio CQT')
        except Exception as e: say(f"scalogram vs nnAudio CQT: skipped ({type(e).__name__}: {e})")
    if dev.type == 'cuda':
        line(f"scalogram (84 bins), {tag}, GPU vs CPU", t_scal,
             cpu_best(lambda: Scalogram(sr, f_min=50., f_max=sr * 0.45, n_bands=84, hop_length=256, to_db=False)(x_cpu)), 'same code on CPU')
    elif nna is None: line(f"scalogram (84 bins), {tag}", t_scal, None, '(no reference)')

    # SpecAugment
    from fastai.torch_core import TensorImageBase
    sg = TensorImageBase(torch.randn(n, 1, 128, 1 + int(sr * secs) // 256, device=dev))
    fm, tm = T.FrequencyMasking(int(0.15 * 128), iid_masks=True), T.TimeMasking(int(0.15 * sg.shape[-1]), iid_masks=True)
    sgp = sg.as_subclass(torch.Tensor)
    sa = SpecAugment(val=0.)
    line(f"SpecAugment 2+2 masks, {n} spectrograms", best(lambda: sa(sg, split_idx=0)), best(lambda: tm(tm(fm(fm(sgp))))), 'torchaudio')

    # MiniRocket, when the module exists
    try:
        rocket = importlib.import_module('soundimg.rocket')
        mr = rocket.MiniRocket
    except (ImportError, AttributeError) as e:
        say(f"MiniRocket: skipped (soundimg.rocket.MiniRocket not available: {type(e).__name__})")
        return
    try:
        xr = plain[:, :, :int(sr * min(secs, 1.0))]
        m = mr(); m = m.fit(xr) if hasattr(m, 'fit') else m
        m = m.to(dev) if hasattr(m, 'to') else m
        t_gpu = best(lambda: m(xr))
        if dev.type == 'cuda':
            mc = m.to('cpu')
            line(f"MiniRocket features, {n} clips x 1 s, GPU vs CPU", t_gpu, cpu_best(lambda: mc(xr.cpu())), 'same code on CPU')
        else: line(f"MiniRocket features, {n} clips x 1 s", t_gpu, None, '(dry run)')
    except Exception as e: say(f"MiniRocket: skipped ({type(e).__name__}: {e})")


# ---------------------------------------------------------------- one epoch
def epoch(dev, dry, workdir):
    import torch
    from fastai.callback.fp16 import MixedPrecision
    from soundimg.all import AudioToSpec, synthetic_esc50, load_esc50, fold_dataloaders, audio_learner
    n_classes, per_class, sr, secs, bs, n_mels = (4, 5, 8000, 1.0, 8, 32) if dry else (20, 100, 22050, 5.0, 64, 128)
    t = time.perf_counter()
    df = load_esc50(synthetic_esc50(Path(workdir) / 'esc', n_classes=n_classes, clips_per_class=per_class, sr=sr, duration=secs))
    say(f"epoch data: {len(df)} synthetic clips of {secs:g} s at {sr} Hz written in {time.perf_counter() - t:.1f} s")
    workers = 0 if dry else min(8, os.cpu_count() or 1)
    dls = fold_dataloaders(df, 1, sr=sr, duration=secs, bs=bs, num_workers=workers,
                           batch_tfms=[AudioToSpec(n_fft=1024, hop_length=256, n_mels=n_mels)])
    dls = dls.to(dev)
    learn = audio_learner(dls, 'resnet18', pretrained=False)
    amp = any(isinstance(c, MixedPrecision) for c in learn.cbs)
    n_train, n_valid = len(dls.train.dataset), len(dls.valid.dataset)
    for ep in range(1 if dry else 2):
        t = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-3)
        if dev.type == 'cuda': torch.cuda.synchronize()
        s = time.perf_counter() - t
        say(f"epoch {ep + 1}: resnet18{' mixed precision' if amp else ''} on {dev.type}, {n_train} train + {n_valid} valid clips "
            f"(bs {bs}, {workers} workers): {s:.1f} s, {(n_train + n_valid) / s:.0f} clips/s; valid accuracy {learn.recorder.values[-1][-1]:.3f}")
    if dev.type == 'cuda': say(f"epoch: peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")


# ---------------------------------------------------------------- main
def main(argv=None):
    args = parse_args(argv)
    skip = set(filter(None, args.skip.split(',')))
    try:
        import torch
        cuda = torch.cuda.is_available()
    except ImportError: cuda = False
    dry = args.dry_run or not cuda
    if not cuda: say("no CUDA device here: dry run of this script's plumbing (tiny sizes on the CPU, notebooks listed, not run)")
    if 'install' not in skip: install(args, dry)
    import torch
    dev = torch.device('cuda' if cuda and not args.dry_run else 'cpu')
    gpu = torch.cuda.get_device_name(0) if cuda else 'none'
    say(f"python {sys.version.split()[0]}, torch {torch.__version__}, CUDA {torch.version.cuda}, GPU {gpu}, {os.cpu_count()} CPUs")
    failed = []
    if 'notebooks' not in skip: failed = run_notebooks(dry, args.budget - 150)
    if 'bench' not in skip:
        if elapsed() > args.budget - 90: say("benchmarks: skipped, over the time budget")
        else: bench(dev, dry)
    if 'epoch' not in skip:
        if elapsed() > args.budget - 60: say("epoch: skipped, over the time budget")
        else:
            with tempfile.TemporaryDirectory() as d: epoch(dev, dry, d)
    say(f"gpu_check: {'dry run ' if dry else ''}done in {elapsed():.0f} s" + (f"; FAILED notebooks: {', '.join(failed)}" if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main())
