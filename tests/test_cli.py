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
