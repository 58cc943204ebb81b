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


def _meta(): return tomllib.loads((ROOT / 'pyproject.toml').read_text())


def test_license_file_matches_pyproject():
    "LICENSE is the Apache-2.0 text that pyproject declares, and the wheel ships it"
    meta = _meta()['project']
    text = (ROOT / 'LICENSE').read_text()
    assert meta['license'] == 'Apache-2.0'
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text and 'END OF TERMS AND CONDITIONS' in text
    assert 'LICENSE' in meta.get('license-files', [])
    # setuptools refuses a "License ::" classifier beside an SPDX `license` expression (PEP 639)
    assert not [c for c in meta['classifiers'] if c.startswith('License ::')]


SUPPORTED = ['3.10', '3.11', '3.12', '3.13']


def test_classifiers_and_ci_cover_supported_pythons():
    meta = _meta()['project']
    assert meta['requires-python'] == f'>={SUPPORTED[0]}'
    versions = sorted((c.rsplit(':: ', 1)[1] for c in meta['classifiers']
                       if re.fullmatch(r'Programming Language :: Python :: 3\.\d+', c)), key=lambda v: int(v.split('.')[1]))
    assert versions == SUPPORTED, versions
    workflow = (ROOT / '.github/workflows/test.yml').read_text()
    assert re.search(r'python-version: \[' + ', '.join(f'"{v}"' for v in SUPPORTED) + r'\]', workflow)
    assert 'bash .ci/run' in workflow


def test_ci_runs_quick_checks_before_tests():
    "ruff over the exported modules, the wheel build check and the docs' notebook processing, all before the tests"
    ci = (ROOT / '.ci/run').read_text()
    steps = ['.venv/bin/ruff check soundimg/', '.venv/bin/python -m build --wheel', '.venv/bin/nbdev-proc-nbs']
    for step in steps: assert step in ci, step
    tests_at = ci.index('.venv/bin/python -m pytest')
    assert all(ci.index(s) < tests_at for s in steps)
    dev = ' '.join(_meta()['project']['optional-dependencies']['dev'])
    assert re.search(r'\bruff\b', dev) and re.search(r'\bbuild\b', dev), dev
    ruff = _meta()['tool']['ruff']
    assert ruff['include'] == ['soundimg/*.py'] and 'soundimg/_modidx.py' in ruff['extend-exclude']
    assert {'F', 'B'} <= set(ruff['lint']['select'])


def test_readme_installs_from_the_repository():
    "Until soundimg is on the package index, the install line must name the repository"
    assert 'pip install "soundimg @ git+https://github.com/soundimg/soundimg"' in _readme_commands()
    assert 'pip install soundimg' not in _readme_commands()


def _tool(name):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / f'{name}.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write_nb(path, sources):
    cells = [{'cell_type': 'markdown', 'id': 'm0', 'metadata': {}, 'source': ['# title']}] + [
        {'cell_type': 'code', 'execution_count': None, 'id': f'c{i}', 'metadata': {}, 'outputs': [], 'source': [s]}
        for i, s in enumerate(sources)]
    path.write_text(json.dumps({'cells': cells, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python',
                    'name': 'python3'}}, 'nbformat': 4, 'nbformat_minor': 5}))
    return path


def test_check_docs_names_cells_that_mix_imports_with_code(tmp_path):
    "The cells nbdev's docs processor runs out of order: an import beside other top-level code"
    nb = _write_nb(tmp_path / 'x.ipynb', [
        'import math',                                   # 1: imports only
        'import math\nx = math.pi',                      # 2: mixed
        '#| export\nimport math\ndef f(): return 1',     # 3: export cells always run: fine
        'def g():\n    import math\n    return 1',       # 4: a def with a nested import: fine
        'y = 2',                                         # 5: no import
        '#| hide\nfrom math import tau\nprint(tau)'])    # 6: mixed
    assert [i for i, _ in _tool('check_docs').mixed_import_cells(nb)] == [2, 6]


def test_check_docs_reports_failing_cell_by_its_place_in_the_notebook(tmp_path):
    nb = _write_nb(tmp_path / 'x.ipynb', ['a = 1', 'import math\nb = a + 1'])
    err = Exception("Error in notebook: T in cell 7 :\nimport math\nb = a + 1\nNameError: name 'a' is not defined")
    assert _tool('check_docs')._failure(err, nb) == (2, 'import math', "NameError: name 'a' is not defined")
    nb = _write_nb(tmp_path / 'y.ipynb', ['a = 1', '#| hide\nimport math\nb = a + 1'])   # nbdev rewrites `#| hide` as `#| hide: true`
    err = Exception("Error in notebook: T in cell 9 :\n#| hide: true\nimport math\nb = a + 1\nNameError: name 'a' is not defined")
    assert _tool('check_docs')._failure(err, nb)[0] == 2


def test_run_nbs_saves_outputs_and_skips_flagged_cells(tmp_path):
    nb = _write_nb(tmp_path / 'x.ipynb', ['x = 6\nx * 7', "#| slow\nraise RuntimeError('must be skipped')", 'print(x)'])
    ok, secs, err = _tool('run_nbs').run_notebook(nb, ['slow', 'cuda', 'notest'])
    assert ok and err is None, err
    outs = [c.get('outputs') for c in json.loads(nb.read_text())['cells'][1:]]
    assert outs[0][0]['data']['text/plain'] == ['42'] and outs[1] == [] and outs[2][0]['text'] == ['6\n']


def test_run_nbs_leaves_a_failing_notebook_as_it_was(tmp_path):
    nb = _write_nb(tmp_path / 'x.ipynb', ['x = 1', '1 / 0'])
    before = nb.read_text()
    ok, secs, err = _tool('run_nbs').run_notebook(nb, ['slow'])
    assert not ok and 'ZeroDivisionError' in err
    assert nb.read_text() == before


def test_run_nbs_palette_png_is_smaller_and_the_same_picture():
    import base64, io
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image
    fig, ax = plt.subplots(figsize=(4, 2), dpi=80)
    t, f = np.meshgrid(np.linspace(0, 1, 256), np.linspace(0, 1, 64))      # a spectrogram-like picture: a rising ridge
    ax.imshow(np.exp(-((f - 0.2 - 0.6 * t) / 0.05) ** 2), aspect='auto', origin='lower', cmap='magma')
    ax.set_title('ridge')
    buf = io.BytesIO(); fig.savefig(buf, format='png'); plt.close(fig)
    b64 = base64.b64encode(buf.getvalue()).decode()
    small = _tool('run_nbs').palette_png(b64)
    a, b = (Image.open(io.BytesIO(base64.b64decode(s))) for s in (b64, small))
    assert len(small) < 0.9 * len(b64) and a.size == b.size and b.mode == 'P'
    diff = np.abs(np.asarray(a.convert('RGB'), dtype=int) - np.asarray(b.convert('RGB'), dtype=int))
    assert diff.mean() < 1 and np.percentile(diff, 99) <= 8, (diff.mean(), np.percentile(diff, 99))
    clear = Image.new('RGBA', (8, 8), (0, 0, 0, 0)); buf = io.BytesIO(); clear.save(buf, 'PNG')
    transparent = base64.b64encode(buf.getvalue()).decode()
    assert _tool('run_nbs').palette_png(transparent) == transparent      # transparency is kept as drawn


def test_run_nbs_dataloader_workers_see_classes_defined_in_the_notebook(tmp_path, monkeypatch, capsys):
    "run_nbs runs each notebook in a fresh process whose DataLoader workers fork, so a notebook's own Dataset class works"
    monkeypatch.syspath_prepend(str(ROOT / 'tools'))        # the pool's processes import run_nbs by name
    nb = _write_nb(tmp_path / 'w.ipynb', [
        'import torch\nfrom torch.utils.data import DataLoader, Dataset',
        'class Squares(Dataset):\n    def __len__(self): return 6\n    def __getitem__(self, i): return i * i',
        'print(torch.cat(list(DataLoader(Squares(), batch_size=2, num_workers=2))).tolist())'])
    assert _tool('run_nbs').main([str(nb), '--no-clean']) == 0, capsys.readouterr().out
    outs = json.loads(nb.read_text())['cells'][3]['outputs']
    assert outs[0]['text'] == ['[0, 1, 4, 9, 16, 25]\n']


def test_sidebar_lists_every_notebook_once():
    "The docs' sidebar names each notebook exactly once, so a new notebook cannot be missing from the site"
    listed = re.findall(r'-\s+(\S+\.ipynb)', (ROOT / 'nbs' / 'sidebar.yml').read_text())
    on_disk = sorted(str(p.relative_to(ROOT / 'nbs')) for p in (ROOT / 'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
    assert sorted(listed) == on_disk, set(listed) ^ set(on_disk)


def test_moved_names_still_import_from_their_old_modules():
    "Names moved by the house split (core->io, augment->crop, spectrogram->spec_transform, datasets->download, cv->results) import from the old module as the same object, also through `import *`"
    import importlib
    moved = {('core', 'io'): ['load_audio', 'get_audio_files', 'check_audio_path'], ('augment', 'crop'): ['RandomCrop', 'crop_pad', 'CropTime'],
             ('spectrogram', 'spec_transform'): ['AudioToSpec', 'SpecConfig', 'DEFAULT_SPEC'], ('datasets', 'download'): ['download_esc50', 'esc50'],
             ('cv', 'results'): ['CVResult']}
    for (old, new), names in moved.items():
        o, n = importlib.import_module(f'soundimg.{old}'), importlib.import_module(f'soundimg.{new}')
        ns = {}
        exec(f'from soundimg.{old} import *', ns)
        for name in names:
            assert getattr(o, name) is getattr(n, name), (old, name)
            assert ns[name] is getattr(n, name), (old, name)
    import soundimg.core
    try: soundimg.core.no_such_name
    except AttributeError as e: assert 'no_such_name' in str(e)
    else: raise AssertionError('an unknown name must raise AttributeError')
