"""List the export cells that hold more than one top-level definition (def or class), and optionally split them.

The notebooks follow fastcore's rhythm: one definition per `#| export` cell, then a line of why, its tests and a
picture. This lists the cells that break it, as `notebook:cell  n defs: names`, and a count per notebook.

    python tools/multi_def_cells.py                       # every notebook under nbs/
    python tools/multi_def_cells.py nbs/00_core.ipynb     # some
    python tools/multi_def_cells.py --split nbs/04b_synthetic.ipynb   # split those cells, one definition each

`--split` cuts a cell before each definition after the first (with its decorators and the comment lines right above
it). Statements between two definitions go with the next one when they touch it (no blank line between, as
`_POOLS = {}` above `def _thread_pool`), else with the one before (as `SignalShifter = TimeShift` after its class).
Every piece keeps the cell's directive lines (`#| export`, ...), so the exported module keeps the same code in the same
order; only nbdev's cell-marker comments and blank lines change. Run `nbdev-export` and `nbdev-clean` afterwards.
Exit status 1 if any multi-definition cell is left in the notebooks listed (without `--split`)."""
import argparse, ast, json, sys, uuid
from pathlib import Path

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _directives(lines):
    "The leading `#|` lines of a cell, and the index of its first other line"
    i = 0
    while i < len(lines) and lines[i].lstrip().startswith('#|'): i += 1
    return lines[:i], i


def is_export(source):
    "Whether a cell's source is exported by nbdev (`#| export` or `#| exports`)"
    heads, _ = _directives(source.splitlines())
    return any(h.split('|', 1)[1].split()[:1] in (['export'], ['exports']) for h in heads)


def top_defs(source):
    "The top-level statements of `source` as (first line, last line, name or None), lines 1-based, decorators included"
    try: tree = ast.parse(source)
    except SyntaxError: return []
    out = []
    for n in tree.body:
        start = min([n.lineno] + [d.lineno for d in getattr(n, 'decorator_list', [])])
        out.append((start, n.end_lineno, n.name if isinstance(n, DEFS) else None))
    return out


def multi_def_cells(nb_path):
    "[(cell index, [names])] of the export cells of `nb_path` with more than one top-level definition"
    cells = json.loads(Path(nb_path).read_text())['cells']
    res = []
    for i, c in enumerate(cells):
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or not is_export(src): continue
        names = [n for _, _, n in top_defs(src) if n]
        if len(names) > 1: res.append((i, names))
    return res


def split_source(source):
    "`source` cut into pieces of one top-level definition each (see the module's doc); each piece keeps the directives"
    lines = source.split('\n')
    heads, body_at = _directives(lines)
    stmts = top_defs(source)
    if sum(1 for s in stmts if s[2]) < 2: return [source]
    blank = lambda a, b: any(not lines[k].strip() for k in range(a, b))   # a blank line among lines[a:b] (0-based)
    cuts, seen_def = [], False
    for j, (start, end, name) in enumerate(stmts):
        if not name: continue
        if not seen_def:
            seen_def = True
            continue
        first = j                                          # the piece starts at this def, or at statements touching it
        while first > 0 and not stmts[first - 1][2] and not blank(stmts[first - 1][1], stmts[first][0] - 1) \
                and blank(stmts[first - 2][1] if first >= 2 else body_at, stmts[first - 1][0] - 1):
            first -= 1
        at = stmts[first][0] - 1                           # 0-based line where the piece starts ...
        while at - 1 >= body_at and lines[at - 1].lstrip().startswith('#') and lines[at - 1].strip():
            at -= 1                                        # ... with the comment lines right above it
        cuts.append(at)
    pieces, prev = [], body_at
    for at in cuts + [len(lines)]:
        body = '\n'.join(lines[prev:at]).strip('\n')
        if body.strip(): pieces.append('\n'.join(heads + [body]))
        prev = at
    return pieces


def _as_source(text):
    ls = text.split('\n')
    return [l + '\n' for l in ls[:-1]] + [ls[-1]]


def split_notebook(nb_path):
    "Split every multi-definition export cell of `nb_path` in place; returns how many cells were split"
    nb_path = Path(nb_path)
    nb = json.loads(nb_path.read_text())
    out, n = [], 0
    for c in nb['cells']:
        src = ''.join(c['source'])
        pieces = split_source(src) if c['cell_type'] == 'code' and is_export(src) else [src]
        if len(pieces) == 1:
            out.append(c)
            continue
        n += 1
        for k, p in enumerate(pieces):
            d = dict(c, source=_as_source(p), outputs=c.get('outputs', []) if k == len(pieces) - 1 else [])
            if k: d['id'] = uuid.uuid4().hex[:8]
            out.append(d)
    nb['cells'] = out
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks (default: every notebook under nbs/)')
    p.add_argument('--split', action='store_true', help='split the cells in place, one definition each')
    args = p.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    nbs = [Path(x) for x in args.notebooks] or sorted(p for p in (root / 'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts)
    if args.split:
        for nb in nbs: print(f"{nb}: split {split_notebook(nb)} cells")
        return 0
    total = 0
    for nb in nbs:
        found = multi_def_cells(nb)
        total += len(found)
        for i, names in found: print(f"{nb}:{i}  {len(names)} defs: {', '.join(names)}")
    print(f"{total} export cells with more than one definition in {len(nbs)} notebooks")
    return 1 if total else 0


if __name__ == '__main__': sys.exit(main())
