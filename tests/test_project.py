"Checks of the project's own promises: the README's commands and the package metadata."
import re, tomllib
from pathlib import Path
import json
import soundimg

ROOT = Path(__file__).parent.parent


def _readme_commands():
    return re.findall(r'```sh\n(.*?)\n```', (ROOT / 'README.md').read_text(), flags=re.S)


def test_readme_matches_index_notebook():
    "README.md is written from nbs/index.ipynb: every command block in one is in the other"
    index = ''.join(''.join(c['source']) for c in json.loads((ROOT / 'nbs/index.ipynb').read_text())['cells'])
    cmds = _readme_commands()
    assert len(cmds) >= 2
    for cmd in cmds: assert cmd in index, cmd


def test_ci_runs_readme_test_command():
    ci = (ROOT / '.ci/run').read_text()
    for cmd in ['python3 -m venv .venv && .venv/bin/pip install -e ".[dev]"', '.venv/bin/python -m pytest']:
        assert cmd in _readme_commands(), cmd
        assert cmd in ci, cmd


def test_version_and_no_torch_upper_pins():
    meta = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    assert re.fullmatch(r'\d+\.\d+\.\d+', soundimg.__version__)
    deps = meta['project']['dependencies']
    for d in deps:
        if re.match(r'torch(vision|audio)?\b', d): assert '<' not in d and '==' not in d, d
    assert 'tst_flags' in meta['tool']['nbdev'] and 'slow' in meta['tool']['nbdev']['tst_flags']
