"""Check the docs' first step: nbdev's notebook processing (what `nbdev-proc-nbs` runs before Quarto renders).

For every notebook nbdev would document, it runs nbdev's own docs processor (`nbdev.processors.FilterDefaults`
through `nbdev.serve_drv.main`, the worker `nbdev-proc-nbs` uses) into `_proc/` (gitignored), in worker
processes as `nbdev-proc-nbs` does. Unlike `nbdev-proc-nbs` it
- keeps going after a failure and prints one line per failing notebook (cell number and error),
- names every cell that mixes an import with other code (the docs processor runs cells that contain an import,
  export cells and `show_doc` cells, and skips the rest, so such a cell runs without the cells before it),
- does not try to download and install Quarto (`nbdev-proc-nbs` does, with sudo, when `quarto` is missing).

    python tools/check_docs.py                   # every notebook
    python tools/check_docs.py nbs/00_core.ipynb # some

Exit status 1 if any notebook fails. Cell numbers count every cell of the notebook from 0, markdown included."""
import argparse, ast, os, re, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path


def _failure(e, nb_path):
    "(cell number in the notebook, first line, 'Error: message') from the exception nbdev's docs processor raised"
    msg = str(e).strip()
    m = re.search(r' in cell \d+ :\n(.*)\n([^\n]*)$', msg, re.S)
    if not m: return (None, '', f"{type(e).__name__}: {msg.splitlines()[-1] if msg else ''}")
    src, err = m.group(1), m.group(2)          # nbdev numbers cells after inserting its own: find the cell by its code
    from fastcore.nbio import read_nb
    code = lambda s: '\n'.join(l for l in s.strip().splitlines() if not l.lstrip().startswith('#|')).strip()  # directives get rewritten
    cells = read_nb(nb_path).cells
    idx = next((i for i, c in enumerate(cells) if c.cell_type == 'code' and code(c.source) == code(src)), None)
    if idx is None: idx = next((i for i, c in enumerate(cells) if code(src) and code(src) in c.source), None)
    first = next((l for l in src.splitlines() if l.strip() and not l.startswith('#|')), '')
    return (idx, first.strip()[:90], err)


def mixed_import_cells(nb_path):
    "Cell numbers and first lines of code cells that import something and also run other top-level code (defs aside)"
    from fastcore.nbio import read_nb
    out = []
    for i, cell in enumerate(read_nb(nb_path).cells):
        if cell.cell_type != 'code' or not cell.source.strip(): continue
        src = '\n'.join(l for l in cell.source.splitlines() if not l.lstrip().startswith(('%', '!')))
        try: tree = ast.parse(src)
        except SyntaxError: continue
        if re.search(r'^#\|\s*(export|exports|exporti|eval:\s*false)\b', cell.source, re.M): continue
        has_import = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
        other = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
        if has_import and other:
            first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith('#|')), '')
            out.append((i, first.strip()[:90]))
    return out


def notebooks(cfg, paths):
    from nbdev.doclinks import nbglob
    if paths: return [Path(p).resolve() for p in paths]
    return sorted(nbglob(cfg.nbs_path, func=Path))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to process (default: all that nbdev documents)')
    p.add_argument('--out', default=None, help='output folder (default: _proc/ at the project root, as nbdev)')
    p.add_argument('--workers', type=int, default=2)
    args = p.parse_args(argv)

    from nbdev.config import get_config
    cfg = get_config()
    os.chdir(cfg.config_path)   # as nbdev-proc-nbs
    out = Path(args.out) if args.out else cfg.config_path / '_proc'
    nbs = notebooks(cfg, args.notebooks)
    if not nbs: sys.exit('check_docs: no notebooks found')
    rel = lambda nb: nb.relative_to(cfg.nbs_path) if nb.is_relative_to(cfg.nbs_path) else Path(nb.name)
    t0, failed = time.perf_counter(), []
    from nbdev.processors import FilterDefaults
    from nbdev.serve_drv import main as proc_one          # the function nbdev-proc-nbs runs per notebook
    for nb in nbs: (out / rel(nb)).parent.mkdir(parents=True, exist_ok=True)
    os.environ['PYTHONWARNINGS'] = 'ignore::UserWarning'   # workers: the mixed-import warnings are listed below, with cell numbers
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=get_context('spawn')) as pool:
        futs = {nb: pool.submit(proc_one, (nb, out / rel(nb), FilterDefaults)) for nb in nbs}
        for nb, fut in futs.items():
            name = os.path.relpath(nb, cfg.config_path)
            try: res = fut.result() and None
            except Exception as e: res = _failure(e, nb)
            mixed = mixed_import_cells(nb)
            if res is None: print(f"ok    {name}" + (f"  ({len(mixed)} cells mix imports with other code)" if mixed else ''))
            else:
                failed.append(name)
                cell = f"cell {res[0]} ({res[1]})" if res[0] is not None else 'notebook'
                print(f"FAIL  {name} {cell}: {res[2]}")
            for i, first in mixed: print(f"        cell {i} mixes an import with other code: {first}")
    secs = time.perf_counter() - t0
    if failed:
        print(f"docs processing (nbdev-proc-nbs) FAILED on {len(failed)} of {len(nbs)} notebooks in {secs:.0f}s: "
              + ' '.join(failed) + "\n  fix: put imports in cells of their own (see CONTRIBUTING.md)")
        return 1
    print(f"docs processing (nbdev-proc-nbs) passed on {len(nbs)} notebooks in {secs:.0f}s")
    return 0


if __name__ == '__main__': sys.exit(main())
