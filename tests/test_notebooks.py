"""Run every notebook in `nbs/` as one test, through nbdev's own test machinery.

This is what `nbdev-test` does (same `tst_flags`, same working directory, same shell), but as pytest
items, so the README's one test command runs notebooks and `tests/` together and ends in pytest's
summary line. Cells flagged `#| slow` or `#| cuda` are skipped, as under `nbdev-test`."""
from pathlib import Path
import pytest
import torch
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

CFG = get_config(Path(__file__).parent)
SKIP_FLAGS = CFG.tst_flags.split() if isinstance(CFG.tst_flags, str) else list(CFG.tst_flags)
NBS_PATH = Path(CFG.nbs_path)


def notebooks():
    "Every notebook nbdev-test would run: not hidden, not under a folder with `.notest`, not a checkpoint"
    for p in sorted(NBS_PATH.rglob('*.ipynb')):
        rel = p.relative_to(NBS_PATH)
        if any(part.startswith(('.', '_')) for part in rel.parts): continue
        if (p.parent / '.notest').exists(): continue
        yield p


@pytest.mark.parametrize('nb', list(notebooks()), ids=lambda p: str(p.relative_to(NBS_PATH)))
def test_notebook(nb):
    threads = torch.get_num_threads()          # notebooks share this process: undo any set_num_threads they made
    try: ok, secs = run_notebook(nb, skip_flags=SKIP_FLAGS, basepath=CFG.config_path, cell_timeout=600)
    finally: torch.set_num_threads(threads)
    assert ok, f"{nb.name} failed (traceback above, on stderr)"
