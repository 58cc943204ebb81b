"""A catalogue of bad inputs and faults (issue 12): each gives the exact kind of error, one line naming the
thing (file, column, flag, parameter) and what was expected, or a correct result; no user file is changed.

Every case is a function `f(env)` that sets its scene up in `env.tmp` and returns a thunk: the thunk is what a
user does. The runner checksums every file under `env.tmp` before the thunk and checks them after it.
CLI cases run the real `soundimg` program: each in its own process, forked from one driver process that has
imported `soundimg.cli` once (a fresh `python -m soundimg.cli` costs ~5-10 s of imports on this CPU; a fork
behaves the same: real exit status, real stderr, a traceback for any exception `main` lets through).

`python tests/test_bad_inputs.py` prints the table (case, what happens) for the code on the path, which is how
the note's before/after table was made.
"""
from __future__ import annotations
import hashlib, json, os, pickle, shutil, socket, subprocess, sys, tempfile, threading, time, warnings
from dataclasses import dataclass, field
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
from torch import nn

from soundimg.all import *   # noqa: F403  (the names users import)
for _n in [n for n in globals() if n.startswith('test')]: del globals()[_n]   # fastcore's test helpers are not pytest tests
import soundimg

ROOT = Path(soundimg.__file__).parent.parent
IS_ROOT = hasattr(os, 'geteuid') and os.geteuid() == 0
SR = 8000

# ---------------------------------------------------------------- scaffolding

@dataclass
class CliResult:
    rc: int
    stdout: str
    stderr: str
    seconds: float
    def __str__(self):
        lines = [l for l in self.stderr.strip().splitlines() if l.strip()]
        last = lines[-1] if lines else ''
        tb = ' [TRACEBACK]' if 'Traceback' in self.stderr else ''
        return f"exit {self.rc}, {len(lines)} stderr line(s){tb}: {last[:160]}"


_DRIVER = r'''
import sys, os, json, traceback, warnings
warnings.filterwarnings('ignore', message=r'.*torch\.jit\.script.*')
import soundimg.cli as cli
proto = os.fdopen(os.dup(1), 'w')
for line in sys.stdin:
    req = json.loads(line)
    if 'waitpid' in req:
        _, status = os.waitpid(req['waitpid'], 0)
        proto.write(json.dumps({'rc': os.waitstatus_to_exitcode(status)}) + '\n'); proto.flush(); continue
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        rc = 1
        try:
            fo = os.open(req['out'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC); fe = os.open(req['err'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fo, 1); os.dup2(fe, 2)
            os.environ.update(req['env']); os.chdir(req['cwd'])
            import torch; torch.set_num_threads(1)
            try:
                if req.get('code'): exec(req['code'], {'__name__': '__worker__'}); rc = 0
                else: rc = cli.main(req['argv']) or 0
            except SystemExit as e:                  # what the interpreter does with SystemExit
                if e.code is None: rc = 0
                elif isinstance(e.code, int): rc = e.code
                else: print(e.code, file=sys.stderr); rc = 1
            except BaseException:                    # what the interpreter does with anything else
                traceback.print_exc(); rc = 1
        finally:
            try: sys.stdout.flush(); sys.stderr.flush()
            finally: os._exit(rc)
    if req.get('nowait'): proto.write(json.dumps({'pid': pid}) + '\n'); proto.flush(); continue
    _, status = os.waitpid(pid, 0)
    proto.write(json.dumps({'rc': os.waitstatus_to_exitcode(status)}) + '\n'); proto.flush()
'''


class CliDriver:
    "One process that imported soundimg.cli; `run(argv)` forks it and runs `soundimg ARGV` in the child"
    def __init__(self):
        env = {**os.environ, 'PYTHONPATH': str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', '')}
        self.p = subprocess.Popen([sys.executable, '-c', _DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, env=env, cwd=str(ROOT))
        self.lock = threading.Lock()

    def run(self, argv, cwd, env=None, timeout=120):
        fd, out = tempfile.mkstemp(prefix='cli-out-'); os.close(fd)
        fd, err = tempfile.mkstemp(prefix='cli-err-'); os.close(fd)
        t0 = time.perf_counter()
        with self.lock:
            self.p.stdin.write(json.dumps(dict(argv=[str(a) for a in argv], cwd=str(cwd), env=env or {}, out=out, err=err)) + '\n')
            self.p.stdin.flush()
            line = self.p.stdout.readline()
        if not line: raise RuntimeError('the CLI driver process died')
        res = CliResult(json.loads(line)['rc'], Path(out).read_text(), Path(err).read_text(), time.perf_counter() - t0)
        os.remove(out); os.remove(err)
        return res

    def _ask(self, req):
        with self.lock:
            self.p.stdin.write(json.dumps(req) + '\n'); self.p.stdin.flush()
            line = self.p.stdout.readline()
        if not line: raise RuntimeError('the CLI driver process died')
        return json.loads(line)

    def start(self, code, cwd):
        "Fork a process running Python `code`; returns (pid, stdout file, stderr file)"
        fd, out = tempfile.mkstemp(prefix='worker-out-'); os.close(fd)
        fd, err = tempfile.mkstemp(prefix='worker-err-'); os.close(fd)
        return self._ask(dict(code=code, cwd=str(cwd), env={}, out=out, err=err, nowait=True))['pid'], out, err

    def wait(self, pid): return self._ask(dict(waitpid=pid))['rc']

    def close(self):
        self.p.stdin.close(); self.p.wait(30)


def _sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for blk in iter(lambda: f.read(1 << 20), b''): h.update(blk)
    return h.hexdigest()


def snapshot(root):
    "{path: sha256} of every regular file under `root` (symlinks and unreadable entries are skipped)"
    res = {}
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        for n in files:
            p = Path(dirpath) / n
            if p.is_symlink() or not p.is_file(): continue
            try: res[str(p)] = _sha(p)
            except OSError: pass
    return res


class Env:
    "What a case gets: a private folder, a tiny synthetic ESC-50, the CLI, read-only / tiny mounts"
    def __init__(self, tmp, base_data, cli):
        self.tmp, self._base, self._cli, self._mounts = Path(tmp), base_data, cli, []
        self.env = {'SOUNDIMG_DATA': str(self.tmp / 'data_home')}

    def data(self, name='esc'):
        "A copy of the tiny synthetic ESC-50 (2 classes x 4 clips, 2 folds, 0.5 s at 8 kHz)"
        dst = self.tmp / name
        shutil.copytree(self._base, dst)
        return dst

    def csv(self, root): return root / 'meta' / 'esc50.csv'

    def wav(self, name='tone.wav', seconds=0.5, sr=SR, subtype='PCM_16'):
        p = self.tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        sf.write(p, 0.5 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * sr)) / sr), sr, subtype=subtype)
        return p

    def cli(self, *argv, cwd=None): return self._cli.run(argv, cwd or self.tmp, self.env)

    def mount(self, name, size='1m', ro=False):
        "A tmpfs at tmp/name (root only); read-only if `ro`; skips the case when it can't be mounted"
        d = self.tmp / name; d.mkdir()
        if not IS_ROOT:
            if ro: d.chmod(0o555); return d
            pytest.skip('a tiny tmpfs needs root; not running as root, so this case is skipped')
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(d)], capture_output=True, text=True)
        if r.returncode: pytest.skip(f'could not mount a tmpfs ({r.stderr.strip()}); case skipped')
        self._mounts.append(d)
        if ro: subprocess.run(['mount', '-o', 'remount,ro', str(d)], check=True)
        return d

    def close(self):
        for d in reversed(self._mounts): subprocess.run(['umount', '-l', str(d)], capture_output=True)


@dataclass
class Case:
    name: str
    what: str
    fn: object
    exc: type | None = None          # the exact exception type expected (API cases)
    needles: tuple = ()              # substrings the message (or the CLI's stderr) must hold
    warns: type | None = None        # a warning of this type, naming the needles, and a normal return
    check: object = None             # check(result, env) for cases that must return a correct result
    cli: bool = False                # a CLI case: exit != 0, one stderr line, no traceback
    multiline: bool = False          # the message may list several items on several lines
    post: object = None              # post(env) after the case: nothing left behind, etc.
    changes: tuple = ()              # files the case may change (relative to env.tmp)


CASES: dict[str, Case] = {}

def case(name, what, **kw):
    def deco(fn):
        assert name not in CASES, name
        CASES[name] = Case(name, what, fn, **kw)
        return fn
    return deco


@dataclass
class Outcome:
    result: object = None
    error: BaseException | None = None
    warnings: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    def describe(self):
        if self.error is not None:
            msg = str(self.error).strip().splitlines()
            return f"{type(self.error).__name__}: {(msg[0] if msg else '')[:160]}{' (+%d lines)' % (len(msg) - 1) if len(msg) > 1 else ''}"
        if isinstance(self.result, CliResult): return str(self.result)
        w = f" + {type(self.warnings[0].message).__name__ if False else self.warnings[0].category.__name__}: {str(self.warnings[0].message)[:100]}" if self.warnings else ''
        return f"returned {_short(self.result)}{w}"


def _short(r):
    if isinstance(r, torch.Tensor): return f"tensor {tuple(r.shape)} {str(r.dtype).replace('torch.', '')} range [{r.float().nan_to_num().min().item():.3g}, {r.float().nan_to_num().max().item():.3g}]" + (' with NaN/inf' if not torch.isfinite(r.float()).all() else '')
    if isinstance(r, pd.DataFrame): return f"a table of {len(r)} rows"
    if r is None: return 'None'
    return type(r).__name__ if not isinstance(r, (str, int, float, list, tuple)) else repr(r)[:120]


def observe(c, env):
    "Set the case up, run it with checksums around it; the Outcome"
    thunk = c.fn(env)
    o = Outcome(before=snapshot(env.tmp))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try: o.result = thunk()
        except Exception as e: o.error = e
    o.warnings = [w for w in ws if not issubclass(w.category, (DeprecationWarning, FutureWarning))]
    o.after = snapshot(env.tmp)
    return o


def verify(c, env, o):
    "Assert what the catalogue promises for case `c`"
    if c.cli:
        r = o.result
        assert o.error is None, f"the CLI driver failed: {o.error!r}"
        assert r.rc != 0, f"exit status 0; stdout: {r.stdout[-500:]}"
        assert 'Traceback' not in r.stderr, r.stderr
        lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
        assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{r.stderr}"
        for n in c.needles: assert n in r.stderr, f"{n!r} not in {r.stderr!r}"
    elif c.exc is not None:
        assert o.error is not None, f"expected {c.exc.__name__}, got {o.describe()}"
        assert type(o.error) is c.exc, f"expected {c.exc.__name__}, got {type(o.error).__name__}: {o.error}"
        msg = str(o.error)
        if not c.multiline: assert '\n' not in msg.strip(), f"expected one line, got:\n{msg}"
        for n in c.needles: assert n in msg, f"{n!r} not in {msg!r}"
    else:
        if o.error is not None: raise AssertionError(f"expected a result, got {o.describe()}") from o.error
        if c.warns is not None:
            ws = [w for w in o.warnings if issubclass(w.category, c.warns)]
            assert ws, f"expected a {c.warns.__name__}, got {[str(w.message) for w in o.warnings]}"
            assert any(all(n in str(w.message) for n in c.needles) for w in ws), [str(w.message) for w in ws]
        if c.check is not None: c.check(o.result, env)
    allowed = tuple(str(env.tmp / p) for p in c.changes)
    changed = [p for p, h in o.before.items() if not p.startswith(allowed or ('\0',)) and o.after.get(p) != h]
    assert not changed, f"user files changed or removed: {changed}"
    if c.post is not None: c.post(env)


# ---------------------------------------------------------------- helpers for the cases

def tiny_arch(pretrained=False, **kwargs):
    "A 2-layer CNN body (fastai cuts it at the pooling layer): keeps cross-validation cases to ~1 s a run"
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))

def tiny_tfm(): return AudioToSpec(sr=SR, n_fft=256, hop_length=128, n_mels=16)

def cv_kwargs(**kw):
    return dict(arch=tiny_arch, epochs=1, lr=1e-3, bs=4, pretrained=False, quiet=True, batch_tfms=[tiny_tfm()],
                dls_kwargs=dict(sr=SR), **kw)

def edit_csv(env, root, f):
    "Rewrite root's meta/esc50.csv with f(df)"
    p = env.csv(root)
    f(pd.read_csv(p)).to_csv(p, index=False)
    return p

def as_nobody(fn):
    "Run `fn()` in a forked child as user `nobody` (root can read any file); re-raise its exception here"
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgid(65534); os.setuid(65534)
            try: res = ('ok', repr(fn()))
            except Exception as e: res = ('err', (type(e), str(e)))
            os.write(w, pickle.dumps(res))
        finally: os._exit(0)
    os.close(w)
    with os.fdopen(r, 'rb') as f: data = f.read()
    os.waitpid(pid, 0)
    kind, val = pickle.loads(data)
    if kind == 'err': raise val[0](val[1])
    return val

def no_temp_files(folder):
    def post(env):
        left = [p for p in Path(env.tmp / folder).rglob('*') if '.tmp' in p.name or p.name.endswith(('.part',)) or p.name.startswith('.') and p.is_file() and 'tmp' in p.name]
        assert not left, f"temporary files left behind: {left}"
    return post

class SilentServer:
    "A TCP server that accepts connections and never answers"
    def __init__(self):
        self.s = socket.socket(); self.s.bind(('127.0.0.1', 0)); self.s.listen(8)
        self.port, self.conns, self.stop = self.s.getsockname()[1], [], False
        threading.Thread(target=self._serve, daemon=True).start()
    def _serve(self):
        self.s.settimeout(0.2)
        while not self.stop:
            try: self.conns.append(self.s.accept()[0])
            except OSError: pass
    def close(self):
        self.stop = True
        for c in self.conns: c.close()
        self.s.close()

def closed_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
    return port

# ================================================================= the catalogue
# ---------------------------------------------------------------- audio tensors (issue 12, Bad 6; Unhelpful: NaN, 4-D, empty)

def _pcm(dtype, n=800):
    y = np.sin(2 * np.pi * 440 * np.arange(n) / SR)
    if dtype == 'int16': return torch.from_numpy((y * 32767).round().astype(np.int16))
    if dtype == 'int32': return torch.from_numpy((y * (2**31 - 1)).round().astype(np.int32))
    if dtype == 'uint8': return torch.from_numpy((y * 127 + 128).round().astype(np.uint8))
    if dtype == 'int8': return torch.from_numpy((y * 127).round().astype(np.int8))
    raise ValueError(dtype)

def _check_pcm(res, env):
    assert res.is_floating_point(), res.dtype
    assert 0.95 < res.abs().max().item() <= 1.0, f"not scaled to [-1, 1]: max {res.abs().max().item()}"

for _dt in ('int16', 'int32', 'uint8', 'int8'):
    case(f'tensor-create-{_dt}', f"AudioTensor.create of {_dt} PCM samples",
         check=_check_pcm)(lambda env, _dt=_dt: (lambda: AudioTensor.create(_pcm(_dt), sr=SR)))
    case(f'tensor-create-{_dt}-numpy', f"AudioTensor.create of a numpy {_dt} array (as soundfile's dtype= reads give)",
         check=_check_pcm)(lambda env, _dt=_dt: (lambda: AudioTensor.create(_pcm(_dt).numpy(), sr=SR)))

@case('tensor-create-bool', "AudioTensor.create of a bool tensor", exc=TypeError, needles=('bool',))
def _(env): return lambda: AudioTensor.create(torch.ones(800, dtype=torch.bool), sr=SR)

@case('tensor-create-int64', "AudioTensor.create of an int64 tensor (no PCM width to scale by)", exc=TypeError, needles=('int64',))
def _(env): return lambda: AudioTensor.create(torch.arange(800), sr=SR)

def _spec_close_to_float(res, env):
    ref = tiny_tfm()(_pcm('int16')[None, None].float() / 32768)
    assert res.is_floating_point() and torch.allclose(res, ref, atol=1e-2), f"max diff {(res - ref).abs().max().item()} dB"

@case('spec-int16', "AudioToSpec of an int16 batch: the same image as the float clip", check=_spec_close_to_float)
def _(env): return lambda: tiny_tfm()(_pcm('int16')[None, None])

@case('spec-bool', "AudioToSpec of a bool batch", exc=TypeError, needles=('bool',))
def _(env): return lambda: tiny_tfm()(torch.ones(2, 1, 800, dtype=torch.bool))

@case('spec-4d', "AudioToSpec of a 4-D tensor (B, C, F, T): an image, not audio", exc=ValueError, needles=('(2, 1, 16, 50)', 'AudioToSpec'))
def _(env): return lambda: tiny_tfm()(torch.randn(2, 1, 16, 50))

@case('spec-empty-batch', "AudioToSpec of an empty batch (0, 1, 800)", exc=ValueError, needles=('empty', 'AudioToSpec'))
def _(env): return lambda: tiny_tfm()(torch.zeros(0, 1, 800))

@case('spec-nan-direct', "AudioToSpec of an AudioTensor built directly (not via create) holding NaN", exc=ValueError, needles=('NaN', 'AudioToSpec'))
def _(env):
    x = torch.randn(1, 1, 800); x[0, 0, 5] = float('nan')
    return lambda: tiny_tfm()(AudioTensor(x, sr=SR))

@case('spec-inf-plain', "AudioToSpec of a plain tensor holding inf", exc=ValueError, needles=('inf',))
def _(env):
    x = torch.randn(2, 1, 800); x[1, 0, 7] = float('inf')
    return lambda: tiny_tfm()(x)

def _scalogram(): return Scalogram(SR, f_min=100.0, f_max=2000.0, n_bands=8, hop_length=128)

@case('scalogram-4d', "Scalogram of a 4-D tensor", exc=ValueError, needles=('(2, 1, 16, 50)', 'Scalogram'))
def _(env): return lambda: _scalogram()(torch.randn(2, 1, 16, 50))

@case('scalogram-empty-batch', "Scalogram of an empty batch (0, 1, 800)", exc=ValueError, needles=('empty', 'Scalogram'))
def _(env): return lambda: _scalogram()(torch.zeros(0, 1, 800))

@case('scalogram-nan', "Scalogram of audio holding NaN", exc=ValueError, needles=('NaN', 'Scalogram'))
def _(env):
    x = torch.randn(1, 1, 800); x[0, 0, 3] = float('nan')
    return lambda: _scalogram()(AudioTensor(x, sr=SR))

@case('scalogram-int16', "Scalogram of int16 PCM: the same image as the float clip",
      check=lambda r, env: torch.testing.assert_close(r, _scalogram()(_pcm('int16')[None, None].float() / 32768), atol=1e-2, rtol=0))
def _(env): return lambda: _scalogram()(_pcm('int16')[None, None])

@case('create-nan', "AudioTensor.create of an array holding NaN", exc=ValueError, needles=('NaN',))
def _(env): return lambda: AudioTensor.create(np.array([0.1, np.nan, 0.2], dtype=np.float32), sr=SR)

# ---------------------------------------------------------------- audio files

@case('wav-truncated', "load_audio of a WAV whose header promises 1 s but holds 0.5 s", warns=UserWarning, needles=('half.wav', 'truncated'),
      check=lambda r, env: None)
def _(env):
    p = env.wav('full.wav', seconds=1.0)
    b = p.read_bytes(); half = env.tmp / 'half.wav'; half.write_bytes(b[:44 + (len(b) - 44) // 2]); p.unlink()
    return lambda: load_audio(half)

@case('esc50-truncated', "load_esc50 with a truncated WAV listed: the header check reports it", exc=AudioFileError,
      needles=('truncated',), multiline=True)
def _(env):
    root = env.data(); p = root / 'audio' / pd.read_csv(env.csv(root)).filename[0]
    b = p.read_bytes(); p.write_bytes(b[:44 + (len(b) - 44) // 3])
    return lambda: load_esc50(root)

@case('wav-is-dir', "load_audio of a directory named x.wav", exc=IsADirectoryError, needles=('x.wav',))
def _(env):
    (env.tmp / 'x.wav').mkdir()
    return lambda: load_audio(env.tmp / 'x.wav')

@case('loadaudio-dir', "LoadAudio(duration=...) of a directory named x.wav", exc=IsADirectoryError, needles=('x.wav',))
def _(env):
    (env.tmp / 'x.wav').mkdir()
    return lambda: LoadAudio(sr=SR, duration=0.25)(str(env.tmp / 'x.wav'))

@case('wav-symlink-loop', "load_audio of a symlink loop (ls lists it)", exc=FileNotFoundError, needles=('loop.wav', 'link'))
def _(env):
    os.symlink(env.tmp / 'loop.wav', env.tmp / 'loop.wav')
    return lambda: load_audio(env.tmp / 'loop.wav')

@case('wav-dangling-symlink', "load_audio of a symlink to a file that is gone", exc=FileNotFoundError, needles=('gone.wav', 'link'))
def _(env):
    os.symlink(env.tmp / 'nowhere.wav', env.tmp / 'gone.wav')
    return lambda: load_audio(env.tmp / 'gone.wav')

@case('loadaudio-symlink-loop', "LoadAudio(duration=...) of a symlink loop", exc=FileNotFoundError, needles=('loop.wav', 'link'))
def _(env):
    os.symlink(env.tmp / 'loop.wav', env.tmp / 'loop.wav')
    return lambda: LoadAudio(sr=SR, duration=0.25)(str(env.tmp / 'loop.wav'))

@case('wav-unreadable', "load_audio of a file the user may not read (run as `nobody` when testing as root)",
      exc=PermissionError, needles=('secret.wav', 'permission'))
def _(env):
    p = env.wav('secret.wav'); p.chmod(0o600); env.tmp.chmod(0o755)
    if IS_ROOT: return lambda: as_nobody(lambda: load_audio(p))
    p.chmod(0o000)
    return lambda: load_audio(p)

@case('wav-garbage', "load_audio of a text file named .wav", exc=AudioFileError, needles=('junk.wav',))
def _(env):
    (env.tmp / 'junk.wav').write_text('not audio at all\n' * 10)
    return lambda: load_audio(env.tmp / 'junk.wav')

@case('wav-empty', "load_audio of a 0-byte .wav", exc=AudioFileError, needles=('empty.wav',))
def _(env):
    (env.tmp / 'empty.wav').write_bytes(b'')
    return lambda: load_audio(env.tmp / 'empty.wav')

@case('wav-missing', "load_audio of a missing file", exc=FileNotFoundError, needles=('absent.wav',))
def _(env): return lambda: load_audio(env.tmp / 'absent.wav')

# ---------------------------------------------------------------- tables (load_esc50 and cross_validate's df)

@case('csv-no-fold', "esc50.csv without a `fold` column", exc=ValueError, needles=('esc50.csv', "'fold'"))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.drop(columns='fold'))
    return lambda: load_esc50(root)

@case('csv-no-category', "esc50.csv without a `category` column", exc=ValueError, needles=('esc50.csv', "'category'"))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.drop(columns='category'))
    return lambda: load_esc50(root)

@case('csv-semicolon', "esc50.csv separated by ';'", exc=ValueError, needles=('esc50.csv', "';'"))
def _(env):
    root = env.data(); d = pd.read_csv(env.csv(root)); d.to_csv(env.csv(root), sep=';', index=False)
    return lambda: load_esc50(root)

@case('csv-tab', "esc50.csv separated by tabs", exc=ValueError, needles=('esc50.csv', 'tab'))
def _(env):
    root = env.data(); d = pd.read_csv(env.csv(root)); d.to_csv(env.csv(root), sep='\t', index=False)
    return lambda: load_esc50(root)

@case('csv-latin1', "esc50.csv in Latin-1 (a category 'grillon-été')", exc=ValueError, needles=('esc50.csv', 'UTF-8', 'line'))
def _(env):
    root = env.data(); d = pd.read_csv(env.csv(root)); d.loc[d.target == 0, 'category'] = 'grillon-été'
    d.to_csv(env.csv(root), index=False, encoding='latin-1')
    return lambda: load_esc50(root)

@case('csv-empty-file', "a 0-byte esc50.csv", exc=ValueError, needles=('esc50.csv', 'empty'))
def _(env):
    root = env.data(); env.csv(root).write_bytes(b'')
    return lambda: load_esc50(root)

@case('csv-header-only', "esc50.csv with a header and no rows", exc=ValueError, needles=('esc50.csv', 'no clips'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.iloc[:0])
    return lambda: load_esc50(root)

@case('csv-nan-fold', "esc50.csv with an empty fold in row 3", exc=ValueError, needles=('esc50.csv', 'fold', 'row 3'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.assign(fold=d.fold.astype(object).where(d.index != 1, None)))
    return lambda: load_esc50(root)

@case('csv-nan-label', "esc50.csv with an empty category in row 4", exc=ValueError, needles=('esc50.csv', 'category', 'row 4'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.assign(category=d.category.where(d.index != 2, None)))
    return lambda: load_esc50(root)

@case('csv-text-fold', "esc50.csv with fold 'two' in row 2", exc=ValueError, needles=('esc50.csv', 'fold', 'two', 'row 2'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.assign(fold=d.fold.astype(object).where(d.index != 0, 'two')))
    return lambda: load_esc50(root)

def _dup(d, fold=None, label=None):
    extra = d.iloc[[0]].copy()
    if fold is not None: extra['fold'] = fold
    if label is not None: extra['category'], extra['target'] = label
    return pd.concat([d, extra], ignore_index=True)

@case('csv-duplicate-row', "esc50.csv listing one file twice in the same fold", exc=ValueError, needles=('1-1000-A-0.wav', 'rows 2 and 10'))
def _(env):
    root = env.data(); edit_csv(env, root, _dup)
    return lambda: load_esc50(root)

@case('csv-file-two-folds', "esc50.csv listing one file in folds 1 and 2", exc=ValueError, needles=('1-1000-A-0.wav', 'fold'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: _dup(d, fold=2))
    return lambda: load_esc50(root)

@case('csv-file-two-labels', "esc50.csv giving one file two labels", exc=ValueError, needles=('1-1000-A-0.wav', 'label'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: _dup(d, label=('rumble', 7)))
    return lambda: load_esc50(root, check_fold_balance=False)

@case('csv-many-problems', "esc50.csv with a NaN fold, a NaN label and a duplicate: all reported at once", exc=ValueError,
      needles=('row 2', 'rows 3 and 10', '1-1000-B-0.wav'))
def _(env):
    root = env.data()
    def f(d):
        d = d.copy(); d['fold'] = d.fold.astype(object); d.loc[0, 'fold'] = None; d.loc[1, 'category'] = None
        return pd.concat([d, d.iloc[[1]]], ignore_index=True)
    edit_csv(env, root, f)
    return lambda: load_esc50(root)

def _df(env):
    return load_esc50(env.data())

@case('cv-df-duplicate', "cross_validate on a table listing one file in two folds", exc=ValueError, needles=('1-1000-A-0.wav', 'fold'))
def _(env):
    d = _df(env); d = _dup(d, fold=2)
    return lambda: cross_validate(d, **cv_kwargs())

@case('cv-df-nan-label', "cross_validate on a table with a missing label", exc=ValueError, needles=('category', 'row'))
def _(env):
    d = _df(env); d.loc[3, 'category'] = None
    return lambda: cross_validate(d, **cv_kwargs())

@case('cv-df-nan-fold', "cross_validate on a table with a missing fold", exc=ValueError, needles=('fold', 'row'))
def _(env):
    d = _df(env); d['fold'] = d.fold.astype(float); d.loc[2, 'fold'] = np.nan
    return lambda: cross_validate(d, **cv_kwargs())

@case('cv-df-missing-file-col', "cross_validate on a table without `audio_path`", exc=ValueError, needles=("'audio_path'",))
def _(env):
    d = _df(env).drop(columns='audio_path')
    return lambda: cross_validate(d, **cv_kwargs())

@case('us8k-semicolon', "UrbanSound8K.csv separated by ';'", exc=ValueError, needles=('UrbanSound8K.csv', "';'"))
def _(env):
    root = env.tmp / 'us8k'; (root / 'metadata').mkdir(parents=True)
    pd.DataFrame(dict(slice_file_name=['a.wav'], fold=[1], classID=[0], **{'class': ['dog']})).to_csv(root / 'metadata' / 'UrbanSound8K.csv', sep=';', index=False)
    return lambda: load_urbansound8k(root)

# ---------------------------------------------------------------- FeatureCache (Bad 7; Unhelpful: unreadable entries)

def _lin(): return AudioToSpec(sr=SR, n_fft=2048, hop_length=512, scale='linear', n_mels=None, to_db=False)   # a full-scale tone: power ~2.6e5 > float16's 65504

def _loud_clip(env):
    p = env.tmp / 'loud.wav'
    sf.write(p, np.sin(2 * np.pi * 1000 * np.arange(SR // 2) / SR), SR, subtype='FLOAT')   # full scale
    return p

def _cache_equals_direct(res, env):
    direct = _lin()(load_audio(env.tmp / 'loud.wav', sr=SR)[None])[0]
    assert torch.isfinite(res).all(), 'the cache returned inf/NaN'
    torch.testing.assert_close(res.float(), direct.float().as_subclass(torch.Tensor) if isinstance(direct, torch.Tensor) else direct, rtol=2e-3, atol=1e-9)

@case('cache-f16-overflow', "FeatureCache (float16 default) of a linear full-scale tone (to_db=False): no inf", check=_cache_equals_direct)
def _(env):
    p = _loud_clip(env); fc = FeatureCache(_lin(), sr=SR, path=env.tmp / 'fc')
    return lambda: (fc(str(p)), fc(str(p)))[1]

@case('cache-f16-underflow', "FeatureCache (float16) of a very quiet clip: small values not flushed to 0",
      check=lambda r, env: (_ for _ in ()).throw(AssertionError(f'{(r == 0).float().mean().item():.0%} zeros')) if (r == 0).float().mean() > 0.01 else None)
def _(env):
    p = env.tmp / 'quiet.wav'
    sf.write(p, 1e-4 * np.sin(2 * np.pi * 440 * np.arange(SR // 4) / SR), SR, subtype='FLOAT')
    fc = FeatureCache(_lin(), sr=SR)
    return lambda: fc(str(p))

def _corrupt_entry(env, how):
    p = _loud_clip(env); fc = FeatureCache(tiny_tfm(), sr=SR, path=env.tmp / 'fc')
    fc(str(p))
    entry = next(fc.path.glob('*.npy'))
    if how == 'truncated': entry.write_bytes(entry.read_bytes()[:100])
    elif how == 'garbage': entry.write_bytes(b'\x00garbage' * 50)
    elif how == 'shape': np.save(entry, np.zeros((3, 5), dtype=np.float16))
    fc2 = FeatureCache(tiny_tfm(), sr=SR, path=env.tmp / 'fc')
    return lambda: (fc2(str(p)), fc2)

def _recomputed(res, env):
    y, fc = res
    direct = tiny_tfm()(load_audio(env.tmp / 'loud.wav', sr=SR)[None])[0]
    assert fc.misses == 1, f"expected a miss, got hits={fc.hits} misses={fc.misses}"
    torch.testing.assert_close(y.as_subclass(torch.Tensor).float(), direct.as_subclass(torch.Tensor).float(), atol=0.05, rtol=0)

for _how in ('truncated', 'garbage', 'shape'):
    case(f'cache-entry-{_how}', f"FeatureCache entry on disk {_how}: treated as a miss and recomputed", check=_recomputed,
         changes=('fc',))(lambda env, _how=_how: _corrupt_entry(env, _how))
@case('cache-save-fails', "FeatureCache: writing an entry fails half way: no temporary file is left", exc=OSError, needles=('No space',),
      post=no_temp_files('fc'))
def _(env):
    p = _loud_clip(env); fc = FeatureCache(tiny_tfm(), sr=SR, path=env.tmp / 'fc')
    real = np.save
    def failing(f, arr, *a, **k):
        with open(f, 'wb') as fh: fh.write(b'\x93NUMPY partial')
        raise OSError(28, 'No space left on device')
    def run():
        np.save = failing
        try: return fc(str(p))
        finally: np.save = real
    return run

@case('cache-skip-dir', "FeatureCache.precompute(on_error='skip') over a directory named x.wav: skipped, goes on",
      warns=UserWarning, needles=('x.wav',), check=lambda r, env: (r == [str(env.tmp / 'loud.wav')]) or (_ for _ in ()).throw(AssertionError(r)))
def _(env):
    p = _loud_clip(env); (env.tmp / 'x.wav').mkdir()
    fc = FeatureCache(tiny_tfm(), sr=SR)
    return lambda: fc.precompute([str(env.tmp / 'x.wav'), str(p)], on_error='skip', progress=False)

@case('cache-skip-loop', "FeatureCache.precompute(on_error='skip') over a symlink loop: skipped, goes on",
      warns=UserWarning, needles=('loop.wav',), check=lambda r, env: (r == [str(env.tmp / 'loud.wav')]) or (_ for _ in ()).throw(AssertionError(r)))
def _(env):
    p = _loud_clip(env); os.symlink(env.tmp / 'loop.wav', env.tmp / 'loop.wav')
    fc = FeatureCache(tiny_tfm(), sr=SR)
    return lambda: fc.precompute([str(env.tmp / 'loop.wav'), str(p)], on_error='skip', progress=False)

# ---------------------------------------------------------------- downloads (Unhelpful: offline)

def _nothing_left(folder):
    def post(env):
        d = env.tmp / folder
        assert not d.exists() or not any(d.rglob('*')), f"left behind: {list(d.rglob('*'))}"
    return post

@case('download-refused', "download_esc50 when nothing listens (no network): one line within the timeout, nothing left",
      exc=globals().get('NoNetworkError', ConnectionError), needles=('no network', '127.0.0.1'), post=_nothing_left('dl'))
def _(env):
    url = f'http://127.0.0.1:{closed_port()}/ESC-50-master.zip'
    def run():
        t0 = time.perf_counter()
        try: return download_esc50(env.tmp / 'dl', url=url, retries=2, timeout=2, progress=False)
        finally: assert time.perf_counter() - t0 < 2, 'took longer than one connection timeout'
    return run

@case('download-no-dns', "download_esc50 from a host name that does not resolve: one line saying no network, nothing left",
      exc=globals().get('NoNetworkError', ConnectionError), needles=('no network', 'soundimg-no-such-host.invalid'), post=_nothing_left('dl'))
def _(env): return lambda: download_esc50(env.tmp / 'dl', url='http://soundimg-no-such-host.invalid/x.zip', retries=2, timeout=2, progress=False)

@case('download-silent-server', "download_esc50 from a server that accepts but never answers: fails after the timeouts, naming it, nothing left",
      exc=ConnectionError, needles=('127.0.0.1', 'answer'), post=_nothing_left('dl'))
def _(env):
    srv = SilentServer()
    def run():
        t0 = time.perf_counter()
        try: return download_esc50(env.tmp / 'dl', url=f'http://127.0.0.1:{srv.port}/x.zip', retries=1, timeout=1, progress=False)
        finally:
            srv.close()
            assert time.perf_counter() - t0 < 6, f'held the user {time.perf_counter() - t0:.0f}s'
    return run

# ---------------------------------------------------------------- cross-validation runs (Bad 4 in cv, Bad 2, Unhelpful: disk full)

@case('cv-nan-loss', "cross_validate whose training loss becomes NaN (lr=nan): run marked failed, an error, not an accuracy",
      exc=globals().get('TrainingFailedError', RuntimeError), needles=('fold 1', 'seed 0', 'non-finite'))
def _(env):
    d = _df(env); out = env.tmp / 'out'
    return lambda: cross_validate(d, folds=[1], out=out, **{**cv_kwargs(), 'lr': float('nan')})

@case('cv-stale-lock', "cross_validate into --out holding the claim of a process that died: reclaimed, run done",
      check=lambda r, env: len(r.runs) == 2 or (_ for _ in ()).throw(AssertionError(r.runs)), changes=('out/.locks',))
def _(env):
    d = _df(env); out = env.tmp / 'out'; locks = out / '.locks'; locks.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, '-c', 'pass']); dead.wait()
    (locks / 'fold1_seed0.lock').write_text(json.dumps(dict(pid=dead.pid, host=socket.gethostname(), heartbeat=time.time())))
    return lambda: cross_validate(d, out=out, **cv_kwargs())

@case('cv-json-without-csv', "a rerun into --out whose CSV was lost (JSON kept): resumes from the JSON",
      check=lambda r, env: (len(r.runs) == 2 and (env.tmp / 'out' / 'cv_results.csv').exists()) or (_ for _ in ()).throw(AssertionError(r.runs)),
      changes=('out/cv_results.json', 'out/cv_results.png'))
def _(env):
    d = _df(env); out = env.tmp / 'out'
    cross_validate(d, folds=[1], out=out, **cv_kwargs())
    (out / 'cv_results.csv').unlink()
    return lambda: cross_validate(d, out=out, **cv_kwargs())

# ---------------------------------------------------------------- the command line

@case('cli-folds-empty', "soundimg cv --folds ,", cli=True, needles=('--folds',))
def _(env): return lambda: env.cli('cv', '--folds', ',', '--epochs', '1')

@case('cli-folds-text', "soundimg cv --folds one", cli=True, needles=('--folds', 'one'))
def _(env): return lambda: env.cli('cv', '--folds', 'one')

@case('cli-folds-absent', "soundimg cv --folds 9 (no fold 9 in the data)", cli=True, needles=('9',))
def _(env): return lambda: env.cli('cv', '--data', env.data(), '--folds', '9', '--epochs', '1')

@case('cli-out-is-file', "soundimg cv --out FILE: refused before training", cli=True, needles=('--out', 'results.txt'))
def _(env):
    (env.tmp / 'results.txt').write_text('my notes\n'); root = env.data()
    return lambda: env.cli('cv', '--data', root, '--out', env.tmp / 'results.txt', '--epochs', '1')

@case('cli-out-readonly', "soundimg cv --out in a read-only place: refused before training", cli=True, needles=('--out', 'ro'))
def _(env):
    root = env.data(); ro = env.mount('ro', ro=True)
    return lambda: env.cli('cv', '--data', root, '--out', ro / 'run', '--epochs', '1')

@case('cli-cache-is-file', "soundimg cv --cache FILE", cli=True, needles=('--cache', 'cachefile'))
def _(env):
    (env.tmp / 'cachefile').write_text('x')
    return lambda: env.cli('cv', '--cache', env.tmp / 'cachefile', '--epochs', '1')

@case('cli-cache-readonly', "soundimg cv --cache in a read-only place", cli=True, needles=('--cache', 'ro'))
def _(env):
    ro = env.mount('ro', ro=True)
    return lambda: env.cli('cv', '--cache', ro, '--epochs', '1')

@case('cli-data-duplicates', "soundimg cv --data FOLDER whose esc50.csv lists a file in two folds", cli=True, needles=('1-1000-A-0.wav', 'esc50.csv'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: _dup(d, fold=2))
    return lambda: env.cli('cv', '--data', root, '--epochs', '1')

@case('cli-data-semicolon', "soundimg cv --data FOLDER whose esc50.csv is ';'-separated", cli=True, needles=('esc50.csv', "';'"))
def _(env):
    root = env.data(); d = pd.read_csv(env.csv(root)); d.to_csv(env.csv(root), sep=';', index=False)
    return lambda: env.cli('cv', '--data', root, '--epochs', '1')

@case('cli-data-no-category', "soundimg cv --data FOLDER whose esc50.csv has no category column", cli=True, needles=('esc50.csv', 'category'))
def _(env):
    root = env.data(); edit_csv(env, root, lambda d: d.drop(columns='category'))
    return lambda: env.cli('cv', '--data', root, '--epochs', '1')

@case('cli-data-missing', "soundimg cv --data NOWHERE", cli=True, needles=('nowhere',))
def _(env): return lambda: env.cli('cv', '--data', env.tmp / 'nowhere')

@case('cli-esc50-offline', "soundimg cv --data esc50 with no network: one line, nothing left in --cache", cli=True,
      needles=('no network',), post=_nothing_left('cache'))
def _(env):
    try: socket.setdefaulttimeout(3); socket.getaddrinfo('github.com', 443); online = True
    except OSError: online = False
    finally: socket.setdefaulttimeout(None)
    if online: pytest.skip('this machine reaches github.com: the offline case would download ESC-50')
    return lambda: env.cli('cv', '--data', 'esc50', '--cache', env.tmp / 'cache')

@case('cli-nan-loss', "soundimg cv --lr 1e30 (would diverge to a non-finite loss): refused up front, naming --lr; "
      "the divergence itself is the API case cv-nan-loss", cli=True, needles=('--lr', 'learning rate'))
def _(env):
    root = env.data()
    return lambda: env.cli('cv', '--data', root, '--lr', '1e30', '--epochs', '1', '--folds', '1', '--bs', '4', '--n-mels', '16', '--sr', str(SR), '--arch', 'resnet18')

@case('show-out-no-suffix', "soundimg show --out picture (no suffix)", cli=True, needles=('--out', 'picture', '.png'))
def _(env):
    p = env.wav()
    return lambda: env.cli('show', p, '--out', env.tmp / 'picture')

@case('show-out-bad-suffix', "soundimg show --out picture.xyz", cli=True, needles=('--out', '.xyz', '.png'))
def _(env):
    p = env.wav()
    return lambda: env.cli('show', p, '--out', env.tmp / 'picture.xyz')

@case('show-out-folder', "soundimg show --out FOLDER", cli=True, needles=('--out', 'pics'), post=no_temp_files('pics'))
def _(env):
    p = env.wav(); (env.tmp / 'pics.png').mkdir()
    return lambda: env.cli('show', p, '--out', env.tmp / 'pics.png')

@case('show-out-readonly', "soundimg show --out in a read-only place: one line, no temp files", cli=True, needles=('--out', 'ro'))
def _(env):
    p = env.wav(); ro = env.mount('ro', ro=True)
    return lambda: env.cli('show', p, '--out', ro / 'tone.png')

@case('show-too-big', "soundimg show of a long clip as a linear image with a tiny hop: refused before computing, saying why",
      cli=True, needles=('--hop-length', 'MiB'))
def _(env):
    p = env.wav('long.wav', seconds=30, sr=16000)
    def run():
        r = env.cli('show', p, '--repr', 'linear', '--hop-length', '8', '--out', env.tmp / 'long.png')
        assert r.seconds < 30, f"took {r.seconds:.0f}s: computed before refusing?"
        return r
    return run

@case('show-missing-file', "soundimg show of a missing file", cli=True, needles=('absent.wav',))
def _(env): return lambda: env.cli('show', env.tmp / 'absent.wav', '--out', env.tmp / 'a.png')

@case('show-dir-file', "soundimg show of a directory named x.wav", cli=True, needles=('x.wav',))
def _(env):
    (env.tmp / 'x.wav').mkdir()
    return lambda: env.cli('show', env.tmp / 'x.wav', '--out', env.tmp / 'a.png')

@case('show-garbage-file', "soundimg show of a text file named .wav", cli=True, needles=('junk.wav',))
def _(env):
    (env.tmp / 'junk.wav').write_text('nope\n' * 20)
    return lambda: env.cli('show', env.tmp / 'junk.wav', '--out', env.tmp / 'a.png')

@case('show-symlink-loop', "soundimg show of a symlink loop", cli=True, needles=('loop.wav', 'link'))
def _(env):
    os.symlink(env.tmp / 'loop.wav', env.tmp / 'loop.wav')
    return lambda: env.cli('show', env.tmp / 'loop.wav', '--out', env.tmp / 'a.png')

@case('show-hop-zero', "soundimg show --hop-length 0: the message names the flag", cli=True, needles=('--hop-length',))
def _(env):
    p = env.wav()
    return lambda: env.cli('show', p, '--hop-length', '0', '--out', env.tmp / 'a.png')

@case('show-nmels-zero', "soundimg show --n-mels 0: the message names the flag", cli=True, needles=('--n-mels',))
def _(env):
    p = env.wav()
    return lambda: env.cli('show', p, '--n-mels', '0', '--out', env.tmp / 'a.png')

@case('show-sr-zero', "soundimg show --sr 0: the message names the flag", cli=True, needles=('--sr',))
def _(env):
    p = env.wav()
    return lambda: env.cli('show', p, '--sr', '0', '--out', env.tmp / 'a.png')

@case('show-exists', "soundimg show --out EXISTING (no --overwrite): refused, file kept", cli=True, needles=('--overwrite', 'keep.png'))
def _(env):
    p = env.wav(); (env.tmp / 'keep.png').write_bytes(b'my picture')
    return lambda: env.cli('show', p, '--out', env.tmp / 'keep.png')


# ---------------------------------------------------------------- pytest

@pytest.fixture(scope='module')
def base_data(tmp_path_factory):
    return synthetic_esc50(tmp_path_factory.mktemp('syn') / 'esc', n_classes=2, clips_per_class=4, sr=SR, duration=0.5, folds=2)


@pytest.fixture(scope='module')
def cli_driver():
    d = CliDriver()
    yield d
    d.close()


@pytest.fixture
def env(tmp_path, base_data, cli_driver):
    e = Env(tmp_path / 'case', base_data, cli_driver)
    e.tmp.mkdir()
    yield e
    e.close()


def test_catalogue_size():
    assert len(CASES) >= 50, len(CASES)


@pytest.mark.parametrize('name', list(CASES))
def test_bad_input(name, env):
    c = CASES[name]
    verify(c, env, observe(c, env))


_WORKER = r'''
import sys, json, warnings
warnings.filterwarnings('ignore')
sys.path.insert(0, {tests!r})
import test_bad_inputs as T
from soundimg.all import load_esc50, cross_validate
res = cross_validate(load_esc50({data!r}), seeds=(0, 1, 2), out={out!r}, on_run=lambda r: print('trained', r['fold'], r['seed'], flush=True),
                     **T.cv_kwargs())
'''


def test_concurrent_cv_into_one_out(base_data, tmp_path, cli_driver):
    "Three processes cross-validate into one `out`: every (fold, seed) run trained once, all rows in the JSON and CSV"
    out = tmp_path / 'out'
    code = _WORKER.format(tests=str(Path(__file__).parent), data=str(base_data), out=str(out))
    workers = [cli_driver.start(code, tmp_path) for _ in range(3)]
    trained = []
    for pid, o, e in workers:
        rc = cli_driver.wait(pid)
        assert rc == 0, Path(e).read_text()[-3000:]
        trained += [tuple(map(int, l.split()[1:])) for l in Path(o).read_text().splitlines() if l.startswith('trained')]
    assert sorted(trained) == [(f, s) for f in (1, 2) for s in (0, 1, 2)], f"not each run exactly once: {sorted(trained)}"
    res = json.loads((out / 'cv_results.json').read_text())
    pairs = sorted((r['fold'], r['seed']) for r in res['runs'])
    assert pairs == [(f, s) for f in (1, 2) for s in (0, 1, 2)], pairs
    csv = pd.read_csv(out / 'cv_results.csv')
    assert sorted(zip(csv.fold, csv.seed)) == pairs
    assert sorted(p.name for p in (out / 'models').glob('*.pkl')) == sorted(f"fold{f}_seed{s}.pkl" for f, s in pairs)
    workers_seen = {r['worker'] for r in res['runs']}
    assert len(workers_seen) >= 2, f"one process did every run: {workers_seen}"     # they shared the work
    assert not list((out / '.locks').glob('*.lock')), 'claims left behind'


def test_disk_full_while_writing_results(base_data, tmp_path):
    "A full disk while results are written: a clear OSError naming the file, no half-written results, and the rerun resumes"
    e = Env(tmp_path / 'case', base_data, None); e.tmp.mkdir()
    try:
        out = e.mount('full', size='64k')
        df = load_esc50(base_data)
        blob = out / 'ballast'                       # fill the disk to a few KiB of room: results fit, a model doesn't
        st = os.statvfs(out)
        blob.write_bytes(b'\1' * max(0, st.f_bavail * st.f_frsize - 16 * 1024))
        with pytest.raises(OSError) as ei:
            cross_validate(df, folds=[1], out=out / 'run', **cv_kwargs())
        assert 'No space' in str(ei.value) and str(out) in str(ei.value), str(ei.value)
        run = out / 'run'
        left = [p.name for p in run.rglob('*') if p.is_file() and p.name.startswith('.')]
        assert not left, f"temporary files left: {left}"
        has_csv, has_json = (run / 'cv_results.csv').exists(), (run / 'cv_results.json').exists()
        assert has_json or not has_csv, 'a CSV without its JSON'
        if has_json: json.loads((run / 'cv_results.json').read_text())
        blob.unlink()
        subprocess.run(['mount', '-o', 'remount,size=64m', str(out)], check=True)
        res = cross_validate(df, folds=[1], out=run, **cv_kwargs())
        assert [(r['fold'], r['seed']) for r in res.runs] == [(1, 0)]
        assert len(pd.read_csv(run / 'cv_results.csv')) == 1
    finally: e.close()


# ---------------------------------------------------------------- the table for the note

def record(names=None):
    "Run every case on the code on the path; print `| case | what | outcome | ok |` rows"
    base = synthetic_esc50(Path(tempfile.mkdtemp()) / 'esc', n_classes=2, clips_per_class=4, sr=SR, duration=0.5, folds=2)
    cli = CliDriver()
    rows = []
    try:
        for name, c in CASES.items():
            if names and name not in names: continue
            tmp = Path(tempfile.mkdtemp()) / 'case'; tmp.mkdir()
            e = Env(tmp, base, cli)
            try:
                o = observe(c, e)
                try: verify(c, e, o); ok = 'yes'
                except AssertionError as err: ok = 'no: ' + str(err).splitlines()[0][:80]
                desc = o.describe()
            except BaseException as err:   # pytest.skip and friends
                desc, ok = f"skipped ({err})"[:120], '-'
            finally: e.close()
            rows.append((name, c.what, desc.replace('|', '/').replace('\n', ' '), ok))
            print(f"| {rows[-1][0]} | {rows[-1][1]} | {rows[-1][2]} | {rows[-1][3]} |", flush=True)
    finally: cli.close()
    return rows


if __name__ == '__main__':
    record(sys.argv[1:] or None)
