"""The course lesson written for fastaudio in 2021 runs on soundimg with only its import lines changed.

The lesson (`../shared/course/000_e26d43b19a8a040c.txt` beside the repository; its text is not copied into the project)
is read, its code cells are taken in order and run in one IPython shell after exactly these edits, each listed below
with its reason and each required to apply (so a changed lesson fails loudly instead of running something else):

- the fastaudio import lines become `from soundimg.all import *` (the promise under test);
- data: the download cell and the author's data folder point at a generated ESC-50-layout folder (`synthetic_esc50`,
  3 classes, 0.3 s clips at 44.1 kHz like ESC-50's files), and the class the lesson lists ('crow') is one of its classes;
- size: epochs -> 1, folds -> 1, batch size 128 -> 8 (fastai drops the last partial training batch, so a batch larger
  than the tiny training set would train on nothing), `lr_find` 100 -> 12 steps; the learner is built with
  `pretrained=False` (no downloads in tests) by wrapping `cnn_learner`, and DataLoaders load in the main process
  (fastai's `defaults.cpus = 0`: no worker processes started for every tiny epoch); the cells themselves unchanged;
- the documented one-line replacements for what broke outside soundimg since 2021 (librosa removed `waveplot` and
  positional `get_duration`); the same lines are in `nbs/tutorials/esc50.ipynb` ("Running the 2021 lesson today").

Cells that only install packages, pick the author's GPU, or display the lesson's saved pictures are skipped, with the
reason in `SKIPS`. Every other cell must run without an exception."""
import importlib.util, os, re, time, warnings
from pathlib import Path
import pytest
import torch

ROOT = Path(__file__).parent.parent
SHARED = Path(os.environ.get('SOUNDIMG_SHARED', ROOT.parent / 'shared'))     # a git worktree elsewhere: set SOUNDIMG_SHARED
LESSON = SHARED / 'course' / '000_e26d43b19a8a040c.txt'
FASTAUDIO_IMPORT = re.compile(r'^(\s*)from fastaudio[\w.]* import .*$', re.M)


def _is_code(block):
    "Whether a block of lines is Python (IPython syntax allowed: `!cmd`, `?obj`); markdown prose is not"
    import ast
    from IPython.core.inputtransformer2 import TransformerManager
    try: ast.parse(TransformerManager().transform_cell(block))
    except SyntaxError: return False
    return True


def lesson_cells(text):
    "The code cells of a flattened notebook: after each `In [...]:`, blocks of lines (between empty lines) while they are Python"
    blocks, cur = [], []
    for line in text.splitlines() + ['']:
        if line == '':
            if cur: blocks.append(cur); cur = []
        else: cur.append(line)
    cells, cell = [], None
    for b in blocks:
        head = re.fullmatch(r'In \[[ \d]*(None)?\]:', b[0].strip())
        if head:
            if cell is not None: cells.append('\n'.join(cell))
            cell = b[1:]
        elif (cell is not None and not all(l.lstrip().startswith('#') for l in b)     # markdown headings read as comments
              and _is_code('\n'.join(cell + [''] + b))):
            cell = cell + [''] + b                           # an empty line inside a cell
        elif cell is not None: cells.append('\n'.join(cell)); cell = None
    if cell is not None: cells.append('\n'.join(cell))
    return [c.rstrip() for c in cells]


# (old, new, why): applied with str.replace to every cell; each must change at least one cell
def edits(data, synth, cls):
    return [
        ("DATA = Path('/data2/alex/pcs-data')", f"DATA = Path(r'{data}')", "data: the author's data folder"),
        ("random_category_examples('crow')", f"random_category_examples('{cls}')", "data: a class of the synthetic set"),
        ('learn.fit_one_cycle(11,', 'learn.fit_one_cycle(1,', 'size: epochs -> 1'),
        ('epochs=10)', 'epochs=1)', 'size: epochs -> 1'),
        ('epochs=15)', 'epochs=1)', 'size: epochs -> 1'),
        ('epochs=18,', 'epochs=1,', 'size: epochs -> 1'),
        ('for fold in df.fold.unique():', 'for fold in df.fold.unique()[:1]:', 'size: folds -> 1'),
        ('bs=128', 'bs=8', 'size: a batch that fits the tiny training set'),
        ('learn.lr_find()', 'learn.lr_find(num_it=12)', 'size: lr_find steps 100 -> 12'),
        ('learn.lr_find(show_plot=False)', 'learn.lr_find(show_plot=False, num_it=12)', 'size: lr_find steps 100 -> 12'),
        ('from librosa.display import waveplot', 'from soundimg.all import plot_waveform as waveplot',
         'librosa 0.10 removed waveplot; soundimg.plot_waveform takes (y, sr) the same way'),
        ('librosa.get_duration(y, sr)', 'librosa.get_duration(y=y, sr=sr)', 'librosa 0.10 takes keywords only'),
    ]


def _no_gpu(): return not torch.cuda.is_available()
def _no_scaleogram(): return importlib.util.find_spec('scaleogram') is None

# (text in the cell, condition, reason)
SKIPS = [
    ('CUDA_VISIBLE_DEVICES', lambda: True, "the author's GPU choice; it would hide the GPU from the rest of the test process"),
    ('torch.cuda.get_device_name(0)', _no_gpu, 'needs a GPU'),
    ('-m pip install', lambda: True, 'installs packages (PyWavelets is a soundimg dependency; scaleogram is not)'),
    ('import scaleogram', _no_scaleogram, 'scaleogram is not installed (it is not a soundimg dependency and the lesson never uses `scg`)'),
    ('display(Image(', lambda: True, "shows the lesson's saved result pictures (web or its assets/ folder): display only"),
]


def prepare(cells, data, synth, cls):
    "The cells to run (with the edits applied) and the skipped ones with their reasons"
    eds, used = edits(data, synth, cls), set()
    run, skipped = [], []
    for i, src in enumerate(cells):
        reason = next((why for key, cond, why in SKIPS if key in src and cond()), None)
        if reason: skipped.append((i, src.splitlines()[0] if src else '', reason)); continue
        if 'untar_data(' in src:                          # data: the download cell becomes the generated folder
            run.append((i, f"path = Path(r'{synth}')")); used.add('untar_data('); continue
        new = FASTAUDIO_IMPORT.sub(r'\1from soundimg.all import *', src)
        if new != src: used.add('import')
        for old, rep, _ in eds:
            if old in new: new, _ = new.replace(old, rep), used.add(old)
        run.append((i, new))
    missing = [(old, why) for old, _, why in eds if old not in used]
    assert not missing, f"the lesson changed: these edits found nothing to change: {missing}"
    assert 'import' in used, "the lesson has no fastaudio import line any more"
    assert 'untar_data(' in used, "the lesson has no download cell any more"
    return run, skipped


@pytest.fixture(scope='module')
def lesson_text():
    if not LESSON.exists():
        pytest.skip(f"the course lesson is not at {LESSON} (it lives in shared/ beside the repository, as in CI; "
                    "or set SOUNDIMG_SHARED to the folder holding course/)")
    return LESSON.read_text()


def test_lesson_cells_parse(lesson_text):
    "The flattened lesson yields its code cells: the fastaudio imports, the DataBlock, the training loop"
    cells = lesson_cells(lesson_text)
    assert len(cells) > 100, len(cells)
    joined = '\n'.join(cells)
    for s in ['from fastaudio.core.all import *', 'AudioBlock', 'def train_model', 'SpectrogramTransformer', 'Delta()']:
        assert s in joined, s


def test_lesson_runs_with_soundimg(lesson_text, tmp_path):
    from execnb.shell import CaptureShell
    from soundimg.all import synthetic_esc50
    import matplotlib.pyplot as plt
    synth = synthetic_esc50(tmp_path / 'esc50', n_classes=3, clips_per_class=10, sr=44100, duration=0.3, folds=5)
    data = tmp_path / 'data'
    (data / 'wavimgs').mkdir(parents=True)                # the lesson writes scalogram PNGs there (the author had it)
    import pandas as pd
    cls = pd.read_csv(synth / 'meta' / 'esc50.csv').category.iloc[0]
    run, skipped = prepare(lesson_cells(lesson_text), data, synth, cls)
    assert len(skipped) <= 8, skipped

    from fastai.torch_core import defaults
    threads, cpus, failures, times = torch.get_num_threads(), defaults.cpus, [], []
    defaults.cpus = 0                                     # DataLoaders without worker processes (each lr_find step is an epoch here)
    sh = CaptureShell(path=tmp_path)
    try:
        with warnings.catch_warnings():                   # the lesson calls warnings.filterwarnings('ignore')
            for i, src in run:
                t0 = time.perf_counter()
                sh.run(src)
                times.append((time.perf_counter() - t0, i))
                if sh.exc is not None:
                    failures.append(f"cell {i}: {src.splitlines()[0]!r}: {type(sh.exc).__name__}: {sh.exc}")
                if 'from soundimg.all import *' in src and src.strip().startswith('from soundimg'):
                    # no downloads in tests: the lesson's cnn_learner(...) calls get pretrained=False
                    sh.run("from functools import partial as _partial\ncnn_learner = _partial(cnn_learner, pretrained=False)")
    finally:
        torch.set_num_threads(threads); defaults.cpus = cpus
        plt.close('all')
    slowest = ', '.join(f"cell {i} {t:.1f}s" for t, i in sorted(times, reverse=True)[:5])
    print(f"ran {len(run)} cells in {sum(t for t, _ in times):.1f}s (slowest: {slowest}); skipped {len(skipped)}: "
          + '; '.join(f"cell {i} ({why})" for i, _, why in skipped))
    assert not failures, f"{len(failures)} of {len(run)} lesson cells failed:\n" + '\n'.join(failures)
