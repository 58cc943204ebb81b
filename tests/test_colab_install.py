"""Colab brings its own torch: installing soundimg into an environment that already has torch must keep it.

The environment here: a fresh venv that sees this test's own packages (torch, fastai, ...) through a `.pth`
file, as Colab's Python sees its preinstalled ones. `pip install` of the repository, offline
(`--no-index`: every dependency must already be satisfied), must install soundimg and leave torch as it was."""
import json, os, shutil, subprocess, sysconfig, venv
from pathlib import Path

ROOT = Path(__file__).parent.parent
ENV = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}     # nothing but the venv decides what is imported
PROBE = "import json, torch; print(json.dumps(dict(torch=torch.__version__, torch_file=torch.__file__)))"


def _run(*cmd, timeout=600):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd='/', env=ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_install_keeps_preinstalled_torch(tmp_path):
    env = tmp_path / 'colab'
    venv.create(env, with_pip=False)
    py = env / 'bin' / 'python'
    site = Path(_run(py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').strip())
    (site / 'preinstalled.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')   # this Python's packages, torch included
    before = json.loads(_run(py, '-c', PROBE))
    src = tmp_path / 'src'                     # a copy, so the build leaves nothing in the repository
    shutil.copytree(ROOT / 'soundimg', src / 'soundimg', ignore=shutil.ignore_patterns('__pycache__'))
    for f in ('pyproject.toml', 'README.md'): shutil.copy(ROOT / f, src / f)
    _run(py, '-m', 'pip', 'install', '-q', '--no-index', '--no-build-isolation', src)
    after = json.loads(_run(py, '-c', PROBE))
    assert after == before                                                             # the same torch, from the same place
    where = _run(py, '-c', 'import soundimg; print(soundimg.__file__)').strip()
    assert Path(where).is_relative_to(site)                                            # soundimg went into the new environment
    assert not (site / 'torch').exists() and not list(site.glob('torch-*.dist-info'))  # and no second torch beside it
