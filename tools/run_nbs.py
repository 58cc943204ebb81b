"""Execute notebooks and save their outputs in place, so the docs show every picture.

It runs each notebook as nbdev's test runner does (`nbdev.test.test_nb`: the same cells, skipping those flagged
with `tst_flags` such as `#| slow`, `#| cuda`, `#| notest`; the notebook's folder as working directory; IN_TEST
set; a fresh process per notebook, whose DataLoader workers fork as in a Jupyter kernel on Linux), then writes the notebook back with its outputs only if every cell ran, and
cleans it with `nbdev-clean` (which keeps outputs). Differences from `nbdev-test --save`, for lean notebooks:
figures are embedded as plain PNG at `--dpi` (execnb's default is 'retina', twice the pixels each way) and stored
as 256-colour PNGs where that is smaller (colormap pictures look the same at about a third of the bytes), and it
prints what each notebook's outputs weigh, with the heaviest outputs, so oversized figures or players are seen.

    python tools/run_nbs.py                        # every notebook nbdev-test runs
    python tools/run_nbs.py nbs/00_core.ipynb      # some
    python tools/run_nbs.py --flags slow           # also run `#| slow` cells (real data sets), like nbdev-test --flags

Flagged cells that are skipped keep the outputs they had. Exit status 1 if any notebook failed (it is left as it was)."""
import argparse, json, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path


def run_notebook(fn, skip_flags, force_flags=(), dpi=80, fmt='png', cell_timeout=600, basepath=None, palette=True, profile=False):
    "Run notebook `fn` like `nbdev.test.test_nb` and write it back with its outputs on success; (ok, seconds, error)"
    import matplotlib
    from execnb.shell import CaptureShell
    from fastcore.basics import str2bool
    from fastcore.nbio import write_nb
    from fastcore.xtras import working_directory
    from nbdev.frontmatter import nb_frontmatter
    from nbdev.process import NBProcessor, nb_lang
    from nbdev.test import nb_test_cells

    fn = Path(fn)
    if basepath: sys.path.insert(0, str(basepath))
    os.environ['IN_TEST'] = '1'
    nb = NBProcessor(fn, rm_directives=False, process=True).nb
    fm = nb_frontmatter(nb)
    if str2bool(fm.get('skip_exec', False)) or nb_lang(nb) != 'python': return True, 0.0, 'skip_exec: not run'
    run = {c.idx_ for c in nb_test_cells(fn, skip_flags, force_flags)}    # exactly the cells nbdev-test runs
    start = time.time()
    k = CaptureShell(fn, mpl_format=fmt, profile=profile)
    matplotlib.rcParams['figure.dpi'] = dpi     # the inline backend draws at the figure's dpi
    try:
        with working_directory(fn.parent):
            k.run_all(nb, exc_stop=True, preproc=lambda cell: cell.idx_ not in run, cell_timeout=cell_timeout)
    except BaseException:
        return False, time.time() - start, k.prettytb(fname=fn) or 'failed'
    if palette: shrink_images(nb)
    write_nb(nb, fn)
    return True, time.time() - start, None


def fork_workers():
    """In the fresh process that runs a notebook, start DataLoader workers (and other child processes) by forking, as a
    Jupyter kernel on Linux does: a process started by 'spawn' would start its own children by 'spawn' too, and those
    must unpickle the dataset, which fails for classes defined in the notebook (`__main__`). Where there is no fork
    (Windows), nothing changes."""
    import multiprocessing
    if 'fork' in multiprocessing.get_all_start_methods(): multiprocessing.set_start_method('fork', force=True)


def palette_png(b64):
    "`b64` (an opaque RGB(A) PNG) as a 256-colour PNG when that is smaller: colormap pictures look the same at a third of the size"
    import base64, io
    from PIL import Image
    raw = base64.b64decode(b64)
    im = Image.open(io.BytesIO(raw))
    if im.mode not in ('RGB', 'RGBA') or (im.mode == 'RGBA' and im.getchannel('A').getextrema() != (255, 255)): return b64
    out = io.BytesIO()
    im.convert('RGB').quantize(256, dither=Image.Dither.NONE).save(out, 'PNG', optimize=True)
    return base64.b64encode(out.getvalue()).decode() + '\n' if len(out.getvalue()) < 0.9 * len(raw) else b64


def shrink_images(nb):
    "Replace each PNG output of `nb` by its 256-colour version where that is smaller"
    for c in nb.cells:
        for o in c.get('outputs', []):
            d = o.get('data') or {}
            if 'image/png' in d:
                v = d['image/png']
                d['image/png'] = palette_png(''.join(v) if isinstance(v, list) else v)


def output_sizes(fn):
    "Bytes of the notebook, of its outputs by kind, and its heaviest outputs as (bytes, cell number, kind)"
    nb = json.loads(Path(fn).read_text())
    kinds, outs = {}, []
    for i, c in enumerate(nb['cells']):
        for o in c.get('outputs', []):
            for mime, v in (o.get('data') or {'stream': o.get('text', '')}).items():
                n = len(''.join(v) if isinstance(v, list) else json.dumps(v) if not isinstance(v, str) else v)
                kind = 'audio' if mime == 'text/html' and '<audio' in (''.join(v) if isinstance(v, list) else str(v)) else mime
                kinds[kind] = kinds.get(kind, 0) + n
                outs.append((n, i, kind))
    return Path(fn).stat().st_size, kinds, sorted(outs, reverse=True)[:3]


def notebooks(cfg, paths):
    "The notebooks nbdev-test would run (as tests/test_notebooks.py), or `paths`"
    if paths: return [Path(p).resolve() for p in paths]
    nbs = Path(cfg.nbs_path)
    keep = lambda p: (not any(part.startswith(('.', '_')) for part in p.relative_to(nbs).parts)
                      and not (p.parent / '.notest').exists())
    return [p.resolve() for p in sorted(nbs.rglob('*.ipynb')) if keep(p)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to run (default: every notebook nbdev-test runs)')
    p.add_argument('--flags', default='', help='space-separated tst_flags to run anyway, e.g. "slow"')
    p.add_argument('--dpi', type=int, default=80, help='figure resolution in the saved notebook (default 80)')
    p.add_argument('--format', default='png', choices=['png', 'retina', 'jpeg', 'svg'], help='figure format (default png)')
    p.add_argument('--no-palette', action='store_true', help='keep PNGs as drawn (default: 256-colour PNGs where smaller)')
    p.add_argument('--workers', type=int, default=1, help='notebooks run at once (default 1)')
    p.add_argument('--no-clean', action='store_true', help='do not run nbdev-clean on the saved notebooks')
    args = p.parse_args(argv)

    from nbdev.config import get_config
    cfg = get_config()
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    force = args.flags.split()
    nbs = notebooks(cfg, args.notebooks)
    if not nbs: sys.exit('run_nbs: no notebooks found')
    before = {nb: nb.stat().st_size for nb in nbs}
    failed = []
    # one fresh process per notebook, as nbdev-test: no state (threads, rcParams, imports) leaks between notebooks
    import run_nbs    # this file as a module (its folder is on sys.path): spawned workers import `run_notebook` from it
    with ProcessPoolExecutor(args.workers, mp_context=get_context('spawn'), max_tasks_per_child=1,
                             initializer=run_nbs.fork_workers) as pool:
        futs = {nb: pool.submit(run_nbs.run_notebook, nb, skip, force, args.dpi, args.format, 600, cfg.config_path,
                                 not args.no_palette, bool(cfg.exec_profile)) for nb in nbs}
        for nb, fut in futs.items():
            name = os.path.relpath(nb, cfg.config_path)
            ok, secs, err = fut.result()
            if not ok:
                failed.append(name)
                print(f"FAIL  {name} ({secs:.0f}s): not saved\n{err}", flush=True)
                continue
            if not args.no_clean:
                _clean(nb)
            size, kinds, top = output_sizes(nb)
            by_kind = ', '.join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v > 1024)
            heaviest = '; '.join(f"cell {i} {k} {n / 1024:.0f} KB" for n, i, k in top if n > 1024)
            print(f"saved {name} ({secs:.0f}s): {before[nb] / 1024:.0f} KB -> {size / 1024:.0f} KB"
                  + (f" | outputs: {by_kind}" if by_kind else '') + (f" | heaviest: {heaviest}" if heaviest else ''), flush=True)
    if failed:
        print(f"run_nbs: {len(failed)} of {len(nbs)} notebooks failed and were left as they were: {' '.join(failed)}")
        return 1
    return 0


def _clean(nb):
    "nbdev-clean one notebook (keeps outputs, drops execution counts and metadata)"
    from nbdev.clean import nbdev_clean
    nbdev_clean(fname=str(nb))


if __name__ == '__main__': sys.exit(main())
