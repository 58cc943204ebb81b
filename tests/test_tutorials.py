"Every tutorial opens the way Colab users need: an Open-in-Colab badge for itself, then a cell that installs soundimg only on Colab."
import json
from pathlib import Path
import pytest

TUTORIALS = sorted((Path(__file__).parent.parent / 'nbs' / 'tutorials').glob('*.ipynb'))


@pytest.mark.parametrize('nb', TUTORIALS, ids=lambda p: p.name)
def test_colab_opening(nb):
    cells = [''.join(c['source']) for c in json.loads(nb.read_text())['cells']]
    badge = f"https://colab.research.google.com/github/soundimg/soundimg/blob/main/nbs/tutorials/{nb.name}"
    first = next(i for i, c in enumerate(cells) if 'colab-badge.svg' in c)
    assert first <= 2 and badge in cells[first], "the Colab badge must come right after the title and open this notebook"
    install = cells[first + 1]
    assert "if 'google.colab' in sys.modules:" in install and 'pip' in install     # skipped under test
    code = '\n'.join(line.split('#')[0] for line in install.splitlines())
    assert 'torch' not in code                                                     # never installs a torch of its own
