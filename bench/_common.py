"""Set-up shared by the bench scripts: torch's thread count, the command line, a scratch folder, and the result line.

Scripts run as `python bench/NAME.py`, so this folder is on `sys.path` and they `from _common import setup, line`."""
import argparse, atexit, shutil, tempfile
from pathlib import Path
import torch


def setup(threads, prefix, doc=None, **options):
    """Fix torch's threads, parse `--name` options (`name=default`; the type is the default's) and make a scratch folder
    that is removed when the script ends; returns `(args, tmp)`"""
    torch.set_num_threads(threads)
    p = argparse.ArgumentParser(description=doc)
    for k, v in options.items(): p.add_argument(f"--{k.replace('_', '-')}", type=type(v), default=v)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    return args, tmp


def line(what, ours, ref, ref_name):
    "One measurement: what, soundimg's seconds, the reference's, and reference / soundimg (above 1: soundimg is faster)"
    print(f"{what:<58} soundimg {ours:8.3f} s   {ref_name} {ref:8.3f} s   ratio {ref / ours:7.2f}x", flush=True)
