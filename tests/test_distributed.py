"""`cross_validate` under `torchrun`: two processes on the CPU (gloo) train each model together, the validation
metrics are those of the whole validation set, and one set of result files is written.

One launch (about 30-60 s on a loaded 2-core machine) runs `cross_validate` twice, the second time resuming the
first and adding a fold; this process then evaluates each saved model alone on the same validation set."""
import json, os, subprocess, sys, textwrap
from pathlib import Path
import pytest
import torch

pytest.importorskip('accelerate', reason="distributed training needs the soundimg[dist] extra (accelerate)")
ROOT = Path(__file__).parent.parent

SCRIPT = textwrap.dedent('''
    import json, sys, warnings
    warnings.filterwarnings('ignore')
    from pathlib import Path
    import pandas as pd, torch
    from fastai.metrics import accuracy
    from soundimg.all import cross_validate, AudioToSpec, LwlrapMetric
    from soundimg.distributed import is_main_process, launched
    assert launched(), "not started by a launcher"
    torch.set_num_threads(1)
    df, out = pd.read_csv(sys.argv[1]), Path(sys.argv[2])
    kw = dict(arch='resnet18', epochs=1, pretrained=False, bs=4, lr=3e-3, quiet=True, metrics=[accuracy, LwlrapMetric()],
              batch_tfms=[AudioToSpec(n_fft=256, hop_length=128, n_mels=32)], dls_kwargs=dict(sr=8000, num_workers=0), out=out)
    cross_validate(df, folds=[1], **kw)
    first = (out / 'models' / 'fold1_seed0.pkl').stat().st_mtime_ns if is_main_process() else None
    res = cross_validate(df, folds=[1, 2], **kw)                   # resumes fold 1, trains fold 2
    if is_main_process():
        print('RESUMED', (out / 'models' / 'fold1_seed0.pkl').stat().st_mtime_ns == first, len(res.runs))
''')


def _files(d): return sorted(str(p.relative_to(d)) for p in d.rglob('*') if '.locks' not in p.relative_to(d).parts and (p.is_file() or not any(p.iterdir())))   # .locks: cv's claims and mutex


def test_cross_validate_two_processes(tmp_path):
    from fastai.learner import load_learner
    from soundimg.all import synthetic_esc50, load_esc50, lwlrap
    df = load_esc50(synthetic_esc50(tmp_path / 'data', n_classes=3, clips_per_class=6, sr=8000, duration=1.0, folds=3))
    df = df.drop(df.index[df.fold == 1][0])                         # 5 validation clips: sharding pads one repeat in
    df.to_csv(tmp_path / 'clips.csv', index=False)
    (tmp_path / 'cv_ddp.py').write_text(SCRIPT)
    out = tmp_path / 'out'
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]), 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2',
                        str(tmp_path / 'cv_ddp.py'), str(tmp_path / 'clips.csv'), str(out)],
                       capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    assert 'RESUMED True 2' in r.stdout, r.stdout[-3000:]          # fold 1 was not retrained, fold 2 was added
    # one set of result files, written once, no working folders or half-written files left behind
    assert _files(out) == ['cv_results.csv', 'cv_results.json', 'cv_results.png', 'models/fold1_seed0.pkl', 'models/fold2_seed0.pkl']
    runs = json.loads((out / 'cv_results.json').read_text())['runs']
    assert [(r['fold'], r['seed']) for r in runs] == [(1, 0), (2, 0)]
    # the gathered metrics are those of the whole validation set: evaluate each saved model alone
    for run in runs:
        learn = load_learner(out / run['model_file'])
        valid = df[df.fold == run['fold']]
        with learn.no_bar(): preds, targs = learn.get_preds(dl=learn.dls.test_dl(valid, with_labels=True))
        assert len(targs) == len(valid) == sum(map(sum, run['confusion']))
        assert run['accuracy'] == (preds.argmax(1) == targs).float().mean().item()
        assert abs(run['lwlrap'] - lwlrap(preds, targs)) < 1e-6
        n = preds.shape[1]
        confusion = torch.bincount(targs * n + preds.argmax(1), minlength=n * n).view(n, n).tolist()
        assert run['confusion'] == confusion
