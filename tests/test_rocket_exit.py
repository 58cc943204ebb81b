"""A process that ran MiniRocket's threaded CPU loops exits promptly: no thread outlives a transform.

The full suite once printed its summary and then did not exit for minutes. This runs the compiled loops on two threads
in a fresh interpreter, checks that only the main Python thread is left, and times the interpreter's exit."""
import subprocess, sys, time, os
from pathlib import Path

ROOT = Path(__file__).parent.parent

SNIPPET = """
import threading, torch
from soundimg.rocket import MiniRocket
torch.set_num_threads(2)
clips = [torch.randn(1, n) for n in (3000, 2000, 1500, 800)]
mr = MiniRocket(840, seed=0).fit(clips)
f = mr(clips)
assert mr._numba(clips[0][None]) and f.shape == (4, 840)
print('threads', sorted(t.name for t in threading.enumerate()), flush=True)
print('done', flush=True)
"""


def test_rocket_threads_let_the_interpreter_exit():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))
    p = subprocess.Popen([sys.executable, '-c', SNIPPET], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        lines = []
        for line in p.stdout:                      # the work itself (numba compile included) may be slow on a shared CPU
            lines.append(line.strip())
            if line.strip() == 'done': break
        t0 = time.perf_counter()
        rc = p.wait(timeout=60)                    # the exit alone: seconds, not minutes
        exit_s = time.perf_counter() - t0
    finally:
        if p.poll() is None: p.kill()
    assert rc == 0, p.stderr.read()[-3000:]
    assert "threads ['MainThread']" in lines, lines
    assert exit_s < 60, exit_s
