#!/usr/bin/env python3
"""Records what CPython 3.11's object layer allocates, step by step, in random straight-line programs.

Run with CPython 3.11 (64-bit):
    python3.11 bench/cpython/record_object_programs.py > objects/src/test/resources/object-programs-3.11.txt

Each program is generated from its seed and run three times in a fresh interpreter (gc disabled,
the free lists filled first): after every statement it records the change in
sys.getallocatedblocks() (pymalloc blocks plus the raw blocks the object allocator fell back
to), in gc.get_count()[0], and in tracemalloc's traced bytes. Each step is a line
"<op> <args...> <blocks> <gen0 count> <traced bytes>" under "program <seed>".
CpythonObjectProgramsTest makes the same objects through an ObjectSpace and compares every step.
"""
import random
import subprocess
import sys

assert sys.version_info[:2] == (3, 11), "record with CPython 3.11"
assert sys.maxsize == 2**63 - 1, "record with a 64-bit build"

PROGRAMS = 12
STEPS = 400
VARS = 8
STRS = ['a', 'bc', '\u00e9', 'x\u00ff', '\u20ac', 'y\u0100z', '\U0001F600', 'q' * 30, '\u00e9' * 40,
        '\u20ac' * 70, 'w' * 300]
INTS = [300, 5000, -7000, 2**29, 2**30 - 10]
MEASURES = {
    'blocks': 'sys.getallocatedblocks()',
    'count': 'gc.get_count()[0]',
    'traced': 'tracemalloc.get_traced_memory()[0]',
}


def generate(seed):
    """[(op line, python statement)]; the generator keeps the shapes so every step is legal."""
    rnd = random.Random(seed)
    kinds = ['none'] * VARS
    lst = []
    ops = []
    while len(ops) < STEPS:
        v, u = rnd.randrange(VARS), rnd.randrange(VARS)
        r = rnd.random()
        if r < 0.10:
            items = [rnd.randrange(4) for _ in range(rnd.choice([1, 2, 2, 3, 5, 19, 20, 21]))]
            ops.append(('tuple %d %s' % (v, ','.join(map(str, items))),
                        'v%d = (%s,)' % (v, ', '.join('c%d' % i for i in items))))
            kinds[v] = 'other'
        elif r < 0.16:
            x = rnd.randrange(-3, 3)
            ops.append(('float %d %d' % (v, x), 'v%d = f0 + %d.5' % (v, x)))
            kinds[v] = 'other'
        elif r < 0.22:
            i = rnd.randrange(len(INTS))
            ops.append(('int %d %d' % (v, INTS[i] + 1), 'v%d = i%d + 1' % (v, i)))
            kinds[v] = 'other'
        elif r < 0.30:
            a, b = rnd.randrange(len(STRS)), rnd.randrange(len(STRS))
            ops.append(('str %d %d %d' % (v, a, b), 'v%d = s%d + s%d' % (v, a, b)))
            kinds[v] = 'other'
        elif r < 0.33:
            k = rnd.choice([2, 20, 100, 500, 600])
            ops.append(('bytes %d %d' % (v, k), 'v%d = b1 * %d' % (v, k)))
            kinds[v] = 'other'
        elif r < 0.37:
            k = rnd.choice([0, 1, 2, 3, 7, 10, 31, 50])  # over 30 items the compiler appends them one by one
            ops.append(('list %d %d' % (v, k), 'v%d = [%s]' % (v, ', '.join(['c0'] * k))))
            kinds[v] = 'other'
        elif r < 0.45:
            lst.append(1)
            ops.append(('lappend', 'L.append(None)'))
        elif r < 0.49:
            i = rnd.randrange(-3, len(lst) + 3)
            lst.insert(i, 1)
            ops.append(('linsert %d' % i, 'L.insert(%d, None)' % i))
        elif r < 0.55 and lst:
            i = rnd.randrange(-len(lst), len(lst))
            lst.pop(i)
            ops.append(('lpop %d' % i, 'L.pop(%d)' % i))
        elif r < 0.61 and lst:
            i = rnd.randrange(-len(lst), len(lst))
            del lst[i]
            ops.append(('ldel %d' % i, 'del L[%d]' % i))
        elif r < 0.62:
            lst.clear()
            ops.append(('lclear', 'L.clear()'))
        elif r < 0.63:
            lst = []
            ops.append(('lnew', 'L = []'))
        elif r < 0.75:
            k = rnd.randrange(40)
            ops.append(('dset %d' % k, 'D[k%d] = None' % k))
        elif r < 0.82:
            k = rnd.randrange(40)
            ops.append(('ddel %d' % k, 'D.pop(k%d, None)' % k))
        elif r < 0.83:
            ops.append(('dnew', 'D = {}'))
        elif r < 0.88:
            ops.append(('inst %d' % v, 'v%d = C()' % v))
            kinds[v] = 'inst'
        elif r < 0.93 and kinds[u] == 'inst' and u != v:
            cb = rnd.random() < 0.5
            ops.append(('%s %d %d' % ('refcb' if cb else 'ref', v, u), 'v%d = ref(v%d%s)' % (v, u, ', cb' if cb else '')))
            kinds[v] = 'other'
        elif r < 0.95 and kinds[v] == 'inst' and kinds[u] != 'inst':
            ops.append(('slot %d %d' % (v, u), 'v%d.a = v%d' % (v, u)))  # no cycles: gc is off
        elif r >= 0.95:
            ops.append(('del %d' % v, 'v%d = None' % v))
            kinds[v] = 'none'
    return ops


def keys():
    """D's 40 keys: ints, strs and 1-tuples, made before the program as constants are."""
    return [1000 + k if k % 3 == 0 else 'k%d' % k if k % 3 == 1 else (1000 + k,) for k in range(40)]


def program(ops, measure):
    lines = ['import array, gc, sys, tracemalloc', 'from weakref import ref', 'gc.disable()',
             'class C:\n    __slots__ = ("a", "__weakref__")', 'def cb(w): pass',
             'c0 = None; c1 = True; c2 = 7; c3 = ()', 'f0 = 0.0', 'b1 = bytes([65])',
             'A = array.array("q", bytes(8 * %d))' % (len(ops) + 1)]
    lines += ['i%d = %d' % (i, x) for i, x in enumerate(INTS)]
    lines += ['s%d = %r' % (i, s) for i, s in enumerate(STRS)]
    lines += ['k%d = %r' % (k, key) for k, key in enumerate(keys())]
    lines += ['v%d = None' % v for v in range(VARS)]
    # every attribute the steps use looked up once, so the type attribute cache holds them: a
    # first lookup can evict an entry whose name string then dies, a block the program did not free
    lines += ['_w = C(); _w.a = None; _r = ref(_w, cb); _q = ref(_w)', 'del _w, _r, _q',
              '_l = []; _l.append(None); _l.insert(0, None); _l.pop(0); del _l[0]; _l.clear()',
              '_e = {}; _e[1] = None; _e.pop(1, None)', 'del _l, _e']
    # the free lists filled: tuples 1..20 (2000 each), floats (100), lists and dicts (80), str-keyed dict keys (80)
    lines += ['_t = [tuple([None] * k) for k in range(1, 21) for _ in range(2000)]',
              '_f = [float(i) + 0.5 for i in range(200)]', '_l = [[] for _ in range(100)]',
              '_d = [{} for _ in range(100)]', '_k = [{"a": 1} for _ in range(100)]',
              'del _t, _f, _l, _d, _k', 'D = {}', 'L = []']
    if measure == 'traced':
        lines.append('tracemalloc.start()')
    m = MEASURES[measure]
    lines.append('A[0] = %s' % m)  # array items hold no int object
    lines += ['%s; A[%d] = %s' % (code, j + 1, m) for j, (_, code) in enumerate(ops)]
    lines.append('print(" ".join(str(A[j + 1] - A[j]) for j in range(%d)))' % len(ops))
    return '\n'.join(lines)


def main():
    print('# recorded from CPython %s (%s) by bench/cpython/record_object_programs.py' % (sys.version.split()[0], sys.platform))
    print('# <op> <args> <sys.getallocatedblocks() change> <gc.get_count()[0] change> <traced bytes change>')
    for seed in range(PROGRAMS):
        ops = generate(seed)
        columns = [subprocess.run([sys.executable, '-c', program(ops, m)], capture_output=True, text=True,
                                  check=True).stdout.split() for m in MEASURES]
        print('program %d' % seed)
        for j, (op, _) in enumerate(ops):
            print(op, *(c[j] for c in columns))


main()
