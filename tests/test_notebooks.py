"""Run every notebook in `nbs/` as one test, through nbdev's own test machinery.

This is what `nbdev-test` does (same `tst_flags`, same working directory, same shell), but as pytest
items, so the README's one test command runs notebooks and `tests/` together and ends in pytest's
summary line. Cells flagged `#| slow` are skipped, as under `nbdev-test`. Cells flagged `#| cuda` are
skipped on a CUDA machine (`bench/gpu_check.py` runs them there) and, without one, run with their device
swapped to the CPU (`.cuda()` -> `.cpu()`, 'cuda' -> 'cpu'), so their code is exercised everywhere."""
import re
from pathlib import Path
import pytest
import torch
import nbdev.test
from nbdev.config import get_config
from nbdev.process import NBProcessor
from nbdev.test import test_nb as run_notebook

CFG = get_config(Path(__file__).parent)
SKIP_FLAGS = CFG.tst_flags.split() if isinstance(CFG.tst_flags, str) else list(CFG.tst_flags)
NBS_PATH = Path(CFG.nbs_path)
CUDA = torch.cuda.is_available()


def notebooks():
    "Every notebook nbdev-test would run: not hidden, not under a folder with `.notest`, not a checkpoint"
    for p in sorted(NBS_PATH.rglob('*.ipynb')):
        rel = p.relative_to(NBS_PATH)
        if any(part.startswith(('.', '_')) for part in rel.parts): continue
        if (p.parent / '.notest').exists(): continue
        yield p


def cpu_swap(src):
    "The code of a `#| cuda` cell with its device swapped to the CPU"
    return re.sub(r"""(['"])cuda\1""", r"\1cpu\1", src.replace('.cuda()', '.cpu()'))


def cuda_cells(nb):
    "Sources of the code cells of notebook `nb` flagged `#| cuda` and not skipped for another flag"
    other = set(SKIP_FLAGS) - {'cuda'}
    cells = NBProcessor(nb, rm_directives=False).nb.cells
    return [c.source for c in cells if c.cell_type == 'code' and 'cuda' in c.directives_ and not other & c.directives_.keys()]


class CPUSwapProcessor(NBProcessor):
    "nbdev's notebook reader, with every `#| cuda` cell's device swapped to the CPU; records what it swapped"
    swapped = []
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in self.nb.cells:
            if c.cell_type == 'code' and 'cuda' in (getattr(c, 'directives_', None) or {}):
                c.source = cpu_swap(c.source)
                CPUSwapProcessor.swapped.append(c.source)


def test_cpu_swap():
    src = "#| cuda\nx = AudioTensor(batch.cuda(), sr=16000)\ny = torch.rand(3, device='cuda')\nz = m.to(\"cuda\")\nok = torch.cuda.is_available()"
    swapped = cpu_swap(src)
    assert swapped == "#| cuda\nx = AudioTensor(batch.cpu(), sr=16000)\ny = torch.rand(3, device='cpu')\nz = m.to(\"cpu\")\nok = torch.cuda.is_available()"
    assert "'cuda'" not in swapped and '.cuda()' not in swapped


@pytest.mark.parametrize('nb', list(notebooks()), ids=lambda p: str(p.relative_to(NBS_PATH)))
def test_notebook(nb, monkeypatch):
    skip = SKIP_FLAGS
    expected = [] if CUDA else cuda_cells(nb)
    if expected:           # no GPU here: run the cuda cells too, on the CPU
        skip = [f for f in SKIP_FLAGS if f != 'cuda']
        monkeypatch.setattr(nbdev.test, 'NBProcessor', CPUSwapProcessor)
        CPUSwapProcessor.swapped = []
    threads = torch.get_num_threads()          # notebooks share this process: undo any set_num_threads they made
    try: ok, secs = run_notebook(nb, skip_flags=skip, basepath=CFG.config_path, cell_timeout=600)
    finally: torch.set_num_threads(threads)
    assert ok, f"{nb.name} failed (traceback above, on stderr)" + (" (its #| cuda cells ran on the CPU)" if expected else "")
    if expected: assert CPUSwapProcessor.swapped == [cpu_swap(s) for s in expected], "not every #| cuda cell was swapped to the CPU"
