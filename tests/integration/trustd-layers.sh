#!/bin/sh
# trustd's source files call each other in one direction only (issue 8):
# a call graph between files, from the function definitions and calls in
# trustd/*.c, must have no circle. Upward calls go through callbacks.
. "$top_srcdir/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "no python3"
python3 - "$S"/trustd/*.c <<'PY'
import os, re, sys

src, defs = {}, {}
for f in sys.argv[1:]:
    s = open(f).read()
    s = re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    s = re.sub(r'"(\\.|[^"\\])*"', '""', s)
    src[f] = s
    # A global function: its name at the start of a line, the line
    # before (its return type) not static.
    for m in re.finditer(r'^([a-z_][a-z0-9_]*)\(', s, re.M):
        prev = s[s.rfind('\n', 0, m.start() - 1) + 1:m.start() - 1]
        if not prev.startswith('static'):
            defs.setdefault(m.group(1), set()).add(f)
# svopi-trustadm is a program of its own beside svopi-trustd.
programs = [f for f in src if os.path.basename(f) in ('main.c', 'trustadm.c')]
deps = {f: set() for f in src}
for f, s in src.items():
    for name, where in defs.items():
        if f in where or len(where) > 1:
            continue
        (d,) = where
        if d in programs:
            continue
        if re.search(r'\b' + name + r'\s*\(', s):
            deps[f].add(d)
bad = []
state = {}
def visit(n, path):
    state[n] = 1
    for d in sorted(deps[n]):
        if state.get(d) == 1:
            bad.append(path[path.index(d):] + [d])
        elif d not in state:
            visit(d, path + [d])
    state[n] = 2
for f in sorted(src):
    if f not in state:
        visit(f, [f])
for f in sorted(deps):
    print('# %s -> %s' % (os.path.basename(f),
          ' '.join(sorted(os.path.basename(d) for d in deps[f])) or '-'))
for c in bad:
    print('FAIL: circle: ' + ' -> '.join(os.path.basename(x) for x in c))
sys.exit(1 if bad else 0)
PY
