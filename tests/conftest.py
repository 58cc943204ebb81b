"""Session hooks for the suite: name any thread that would keep the process alive, and exit without a long final GC.

The notebooks all run inside this one process (tests/test_notebooks.py), so at the end it holds a large heap: the
interpreter's shutdown then spends tens of seconds (more on a busy CPU) in its final full garbage collections, after
pytest has printed its summary. `gc.freeze()` moves every object to the permanent generation, which those collections
skip; memory goes back to the OS with the process. Threads that are not daemons are the other way a run can hang after
its summary: they are listed, so the hang names its cause."""
import gc, sys, threading


def pytest_unconfigure(config):
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if alive: print(f"\nconftest: threads that will delay the exit: {[t.name for t in alive]}", file=sys.stderr)
    gc.freeze()
