"`bench/gpu_check.py` is one command for a borrowed GPU machine; here, without CUDA, it must say so and dry-run its own plumbing."
import subprocess, sys
from pathlib import Path
import pytest, torch

ROOT = Path(__file__).parent.parent


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA machine runs the real check, not the dry run")
def test_gpu_check_dry_run_on_cpu():
    r = subprocess.run([sys.executable, str(ROOT / 'bench' / 'gpu_check.py')], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert out.splitlines()[0].startswith('no CUDA device here: dry run')
    assert 'would run' in out and 'pip install' in out                      # nothing installed in a dry run
    for what in ('notebook 01', 'mel spectrogram (dB)', 'SpecAugment', 'epoch data: 20 synthetic clips', 'epoch 1: resnet18', 'dry run done'):
        assert what in out, what
    assert 'ratio' in out and 'FAILED' not in out
