"""`python -m soundimg.cli` (what the `soundimg` script runs) works as a program: help, errors, a picture."""
import subprocess, sys
import numpy as np, soundfile as sf


def run(*args):
    return subprocess.run([sys.executable, '-m', 'soundimg.cli', *args], capture_output=True, text=True, timeout=300)


def test_show_and_errors(tmp_path):
    wav = tmp_path / 'tone.wav'
    sf.write(wav, 0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000), 8000)
    r = run('show', str(wav), '--repr', 'mel', '--out', str(tmp_path / 'tone.png'))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'tone.png').stat().st_size > 1000
    r = run('show', str(wav), '--out', str(tmp_path / 'tone.png'))          # never overwrites silently
    assert r.returncode != 0 and '--overwrite' in r.stderr
    r = run('cv', '--data', str(tmp_path / 'nowhere'))
    assert r.returncode != 0 and 'nowhere' in r.stderr and 'Traceback' not in r.stderr


def test_limit_skip_bad_predict_report(tmp_path):
    "`--limit` and `--skip-bad` from the shell (pandas 3 once made --limit crash), then `predict` and `report` on the run"
    from soundimg.synthetic import synthetic_esc50
    data = synthetic_esc50(tmp_path / 'tiny', n_classes=3, clips_per_class=10, sr=8000, duration=0.5, folds=5)
    wavs = sorted((data / 'audio').iterdir())
    wavs[0].unlink()
    r = run('cv', '--data', str(data), '--folds', '1', '--epochs', '1', '--limit', '5', '--bs', '8', '--threads', '1', '--out', str(tmp_path / 'run'))
    assert r.returncode != 0 and '--skip-bad' in r.stderr and wavs[0].name in r.stderr and 'Traceback' not in r.stderr
    r = run('cv', '--data', str(data), '--folds', '1', '--epochs', '1', '--limit', '5', '--bs', '8', '--threads', '1', '--skip-bad',
            '--out', str(tmp_path / 'run'))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith('data ') and ': 15 clips, 3 classes' in lines[0], lines[0]
    assert lines[1].startswith('skipped 1 bad files') and wavs[0].name in lines[1]
    assert sum(l.startswith('epoch') for l in lines) == 1 and lines[-1].startswith('mean accuracy: ')
    r = run('predict', str(tmp_path / 'run'), str(wavs[1]), str(wavs[2]), '--csv', '-')
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith('file,prediction,probability,top_k') and len(r.stdout.splitlines()) == 3
    r = run('report', str(tmp_path / 'run'))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / 'run' / 'cv_confusion.png').exists() and r.stdout.splitlines()[-1] == lines[-1]
    r = run('cv', '--data', str(data), '--bs', '0')
    assert r.returncode != 0 and r.stderr.strip() == 'soundimg cv: --bs must be >= 1, got 0'


HEAVY = ('torch', 'fastai', 'pandas', 'matplotlib')


def test_help_and_flag_errors_import_nothing_heavy():
    "`soundimg --help`, every command's --help and a bad flag are answered by argparse alone: no torch/fastai/pandas/matplotlib"
    code = ("import sys, contextlib, io, soundimg.cli as c\n"
            "for argv in (['--help'], ['cv', '--help'], ['show', '--help'], ['predict', '--help'], ['report', '--help'], ['cv', '--augment', 'huge']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "        try: c.main(argv)\n"
            "        except SystemExit: pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '[]', r.stdout
    r = run('--help')
    assert r.returncode == 0 and 'cv' in r.stdout and 'show' in r.stdout


def test_parser_copies_equal_the_library():
    "The few values the parsers show without importing torch are the library's own"
    from soundimg.cli import AUGMENT_NAMES, SHOW_SPEC, cv_parser, show_parser
    from soundimg.recipe import AUGMENT_LEVELS, suggest_augment
    from soundimg.spectrogram import DEFAULT_SPEC
    assert AUGMENT_NAMES == ('auto',) + tuple(AUGMENT_LEVELS)     # 'auto': `suggest_augment` picks one of the levels
    assert SHOW_SPEC == {k: DEFAULT_SPEC[k] for k in SHOW_SPEC}
    a = show_parser().parse_args(['x.wav', '--out', 'x.png'])
    assert (a.n_mels, a.hop_length) == (DEFAULT_SPEC['n_mels'], DEFAULT_SPEC['hop_length'])
    assert cv_parser().parse_args([]).augment == 'auto'
    assert {suggest_augment(e) for e in (1, 10, 30, 100)} <= set(AUGMENT_LEVELS)


def test_package_init_is_light():
    "`import soundimg` (which every `soundimg.x` import runs first) imports nothing heavy"
    r = subprocess.run([sys.executable, '-c', f"import sys, soundimg; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == '[]', r.stdout + r.stderr


def test_blocked_folds_refold(tmp_path):
    "Folds that put every clip of a class in one fold (as the insect recordings do): one line suggesting --refold; --refold N trains and is recorded"
    import json, pandas as pd
    from soundimg.synthetic import synthetic_esc50
    data = synthetic_esc50(tmp_path / 'blocked', n_classes=3, clips_per_class=10, sr=8000, duration=0.5, folds=5)
    meta = pd.read_csv(data / 'meta' / 'esc50.csv')
    meta.assign(fold=meta.target + 1).to_csv(data / 'meta' / 'esc50.csv', index=False)      # class k only in fold k + 1
    r = run('cv', '--data', str(data), '--folds', '1', '--epochs', '1', '--threads', '1')
    assert r.returncode != 0 and 'Traceback' not in r.stderr
    assert r.stderr.strip().splitlines() == ["soundimg cv: the data's folds can't be cross-validated: validation fold 1 holds 'tone', "
                                             "which its training folds never show (1 of 1 validation folds are like this); "
                                             "deal new folds stratified by class with --refold=5"], r.stderr
    r = run('cv', '--data', str(data), '--folds', '1', '--epochs', '1', '--bs', '8', '--threads', '1', '--refold', '5', '--out', str(tmp_path / 'run'))
    assert r.returncode == 0, r.stderr
    assert 'folds: 5 new folds stratified by category (--refold 5, seed 0), each src_file in one fold' in r.stdout.splitlines(), r.stdout
    saved = json.loads((tmp_path / 'run' / 'cv_results.json').read_text())['settings']['refold']
    assert saved == dict(n_folds=5, seed=0, stratified_by='category', grouped_by='src_file', groups_split=0)
    r = run('cv', '--data', str(data), '--refold', '1')
    assert r.returncode != 0 and r.stderr.strip() == 'soundimg cv: --refold must be >= 2, got 1'
