#!/usr/bin/env python3
"""Random object-graph programs run under CPython 3.11 with automatic collection ON, recorded
step by step: after each statement, gc.get_count(), gc.get_stats() (counted from the program's
start) and len(gc.garbage), and, as they happen, finalizers (__del__), weakref callbacks and what
an explicit gc.collect(g) returns. CollectorStepsTest replays them on an ObjectSpace and
compares every line: automatic collections must come at the same statements.

Run with CPython 3.11:
    python3.11 objects/scripts/record_gc_steps.py [COUNT, default 60] > objects/src/test/resources/gc-steps-3.11.txt

For the counts to be the program's alone, a program runs on a quiet interpreter: its classes and
its variables' dict are made first, gc.freeze() moves every tracked object into the permanent
generation (so the long-lived total of 3.11's quarter rule for generation 2 counts the program's
objects only), and a full collection zeroes the counts and empties the free lists. The
interpreter loop makes no GC object of its own: the statements are parsed first, no
comprehension, generator, slice or bound method is made while a program runs, and the counts
are read from the GC state itself (find_gc_state). One GC object is CPython's own and
CollectorStepsTest makes it too: weakref.ref(X[, cb]) packs its arguments in a tuple
(_PyObject_MakeTpCall), which may be a new one (counted; it may start a collection).

Statements (variables v0..v7, each holding one reference; objects get labels oN):
  class NAME NSLOTS WEAK(0|1) FIN(none|log|resurrect|collect)   made before the program starts
  threshold T0 T1 T2                                    gc.set_threshold, before it starts
  callbacks                                             a gc.callbacks entry logging each call
  list V | dict V | inst V CLASS | atom V K | tuple V A [B [C]]   make an object into V
  weak V X cb|cbcollect|nocb                            V = weakref.ref(X[, callback])
  append L X | setitem D KEY X | setslot O I X | delitem D KEY   link and unlink objects
  setthreshold T0 T1 T2 | enable 0|1                    gc.set_threshold, gc.enable / gc.disable
  objects G       the labels of gc.get_objects(G) ("?" for the variables' dict and cycles' lists)
  tkey D A X      D[(A,)] = X: a new 1-tuple key (of an atom or an instance), tracked at birth
  cycles N        N self-referencing lists, each dropped when the next is made (x = []; x.append(x))
  deref W | tracked V | del V | collect G | cleargarbage | saveall 0|32 | freeze
An atom is the int 1000 + K, not a container. A "collect" finalizer runs gc.collect(), a
"cbcollect" callback gc.collect(0), and both log what it returned. Output: "> statement", then its
lines ("gc start|stop GENERATION COLLECTED UNCOLLECTABLE", "del oN [collect N]", "cb oN [collect N]", "deref oN|None", "tracked True|False",
"collect N", "frozen N" counted from the program's start), then
"= C0 C1 C2 | COLLECTIONS COLLECTED UNCOLLECTABLE per generation | len(gc.garbage)".
"""
import ctypes
import gc
import random
import sys
import weakref

assert sys.version_info[:2] == (3, 11), "record with CPython 3.11"
assert sys.maxsize == 2**63 - 1, "record with a 64-bit build"

PROGRAMS = 60
LOG = []
LABELS = {}
SURVIVORS = []


def find_gc_state():
    """3.11's GCState in the interpreter state, found by its thresholds: (ints, stats) views.

    generations[3] are {PyGC_Head (16 bytes), int threshold, int count}; after them come the
    generation0 pointer, the permanent generation (24 bytes) and generation_stats[3], each
    {collections, collected, uncollectable} as Py_ssize_t. Reading an item of a ctypes array
    makes an int only, where gc.get_count() and gc.get_stats() make tuples, lists and dicts that
    count in generation 0 (and, as the free lists are emptied by every full collection, change it).
    """
    get = ctypes.pythonapi.PyInterpreterState_Get
    get.restype = ctypes.c_void_p
    interp = get()
    old = gc.get_threshold()
    gc.set_threshold(701, 11, 12)
    mem = (ctypes.c_int * 40000).from_address(interp)
    hits = [i for i in range(40000 - 20) if mem[i] == 701 and mem[i + 6] == 11 and mem[i + 12] == 12]
    assert len(hits) == 1, hits
    gens = interp + 4 * (hits[0] - 4)
    gc.set_threshold(*old)
    ints = (ctypes.c_int * 18).from_address(gens)
    stats = (ctypes.c_ssize_t * 9).from_address(gens + 3 * 24 + 8 + 24)
    assert (ints[5], ints[11], ints[17]) == gc.get_count()
    assert list(stats) == [g[k] for g in gc.get_stats() for k in ('collections', 'collected', 'uncollectable')]
    return ints, stats


GC_INTS, GC_STATS = find_gc_state()
BASE = [0] * 9


def state():
    """The line after a statement; makes no GC object (f-strings build no tuple)."""
    c, s, b = GC_INTS, GC_STATS, BASE
    return (f'= {c[5]} {c[11]} {c[17]} | {s[0] - b[0]} {s[1] - b[1]} {s[2] - b[2]} '
            f'{s[3] - b[3]} {s[4] - b[4]} {s[5] - b[5]} {s[6] - b[6]} {s[7] - b[7]} {s[8] - b[8]} '
            f'| {len(gc.garbage)}')


def gc_callback(phase, info):
    LOG.append(f'gc {phase} {info["generation"]} {info["collected"]} {info["uncollectable"]}')


def callback(wr):
    LOG.append('cb ' + LABELS[id(wr)])


def callback_collecting(wr):
    LOG.append(f'cb {LABELS[id(wr)]} collect {gc.collect(0)}')


def log_del(self):
    LOG.append('del ' + LABELS[id(self)])


def resurrect_del(self):
    LOG.append('del ' + LABELS[id(self)])
    SURVIVORS.append(self)


def collecting_del(self):
    LOG.append(f'del {LABELS[id(self)]} collect {gc.collect()}')


FINALIZERS = {'log': log_del, 'resurrect': resurrect_del, 'collect': collecting_del}
FROZEN = [0]


def run(header, body):
    """Runs a program (header: class and threshold lines; body: parsed statements)."""
    LOG.clear()
    LABELS.clear()
    classes = {}
    for line in header:
        a = line.split()
        if a[0] == 'class':
            slots = tuple('s%d' % i for i in range(int(a[2]))) + (('__weakref__',) if a[3] == '1' else ())
            ns = {'__slots__': slots}
            if a[4] != 'none':
                ns['__del__'] = FINALIZERS[a[4]]
            classes[a[1]] = type(a[1], (), ns)
        elif a[0] == 'callbacks':
            gc.callbacks.append(gc_callback)
        else:
            gc.set_threshold(int(a[1]), int(a[2]), int(a[3]))
    line = a = slots = ns = None        # a list, a tuple and a dict that would go to the free lists
    v = {}
    serial = 0
    x = None
    gc.freeze()
    FROZEN[0] = gc.get_freeze_count()
    gc.collect()                        # counts 0, free lists empty (clear_freelists), nothing long-lived
    k = 0
    while k < 9:
        BASE[k] = GC_STATS[k]
        k += 1
    gc.enable()
    i = 0
    n = len(body)
    while i < n:
        a = body[i]
        i += 1
        LOG.append('> ' + a[0])
        op = a[1]
        if op == 'list':
            v[a[2]] = []
            LABELS[id(v[a[2]])] = 'o%d' % serial
            serial += 1
        elif op == 'dict':
            v[a[2]] = {}
            LABELS[id(v[a[2]])] = 'o%d' % serial
            serial += 1
        elif op == 'inst':
            v[a[2]] = classes[a[3]]()
            LABELS[id(v[a[2]])] = 'o%d' % serial
            serial += 1
        elif op == 'atom':
            v[a[2]] = a[3] + 1000
        elif op == 'tuple':
            if len(a) == 4:
                v[a[2]] = (v[a[3]],)
            elif len(a) == 5:
                v[a[2]] = (v[a[3]], v[a[4]])
            else:
                v[a[2]] = (v[a[3]], v[a[4]], v[a[5]])
            LABELS[id(v[a[2]])] = 'o%d' % serial
            serial += 1
        elif op == 'weak':
            before = weakref.getweakrefcount(v[a[3]])
            if a[4] == 'cb':
                x = weakref.ref(v[a[3]], callback)
            elif a[4] == 'cbcollect':
                x = weakref.ref(v[a[3]], callback_collecting)
            else:
                x = weakref.ref(v[a[3]])
            if weakref.getweakrefcount(v[a[3]]) != before:  # else the existing basic ref came back
                LABELS[id(x)] = 'o%d' % serial
                serial += 1
            v[a[2]] = x                     # V's old object goes only now, as a weakref it held may
            x = None
        elif op == 'append':
            v[a[2]].append(v[a[3]])
        elif op == 'setitem':
            v[a[2]][a[3]] = v[a[4]]
        elif op == 'setthreshold':
            gc.set_threshold(a[2], a[3], a[4])  # METH_VARARGS: an argument tuple
        elif op == 'enable':
            if a[2]:
                gc.enable()
            else:
                gc.disable()
        elif op == 'objects':
            x = gc.get_objects(a[2])        # the list is new or from the free list, and is left out
            k = 0
            line = 'objects'
            while k < len(x):
                line += ' ' + LABELS.get(id(x[k]), '?')
                k += 1
            x = None
            LOG.append(line)
        elif op == 'tkey':
            x = (v[a[3]],)
            LABELS[id(x)] = '?'
            v[a[2]][x] = v[a[4]]
            x = None
        elif op == 'delitem':
            v[a[2]].pop(a[3], None)
        elif op == 'freeze':
            gc.freeze()
            LOG.append(f'frozen {gc.get_freeze_count() - FROZEN[0]}')
        elif op == 'setslot':
            setattr(v[a[2]], a[3], v[a[4]])
        elif op == 'cycles':
            k = a[2]
            while k > 0:
                x = []
                x.append(x)
                LABELS[id(x)] = '?'         # an address a labelled object had is no longer that label
                k -= 1
            x = None
        elif op == 'deref':
            x = v[a[2]]()
            LOG.append('deref ' + ('None' if x is None else LABELS[id(x)]))
            x = None
        elif op == 'tracked':
            LOG.append('tracked True' if gc.is_tracked(v[a[2]]) else 'tracked False')  # formatting a bool makes a bound method
        elif op == 'del':
            del v[a[2]]
        elif op == 'collect':
            LOG.append(f'collect {gc.collect(a[2])}')
        elif op == 'cleargarbage':
            gc.garbage.clear()              # del gc.garbage[:] would make a slice, a GC object
        elif op == 'saveall':
            gc.set_debug(a[2])
        else:
            raise ValueError(a[0])
        LOG.append(state())
    gc.disable()
    out = list(LOG)                     # what the clean-up below runs is no step's
    if gc_callback in gc.callbacks:
        gc.callbacks.remove(gc_callback)
    gc.set_debug(0)
    gc.set_threshold(700, 10, 10)
    v.clear()
    classes.clear()
    gc.unfreeze()
    while gc.garbage or SURVIVORS:      # leave nothing behind for the next program
        del gc.garbage[:]
        del SURVIVORS[:]
        gc.collect()
    gc.collect()
    return out


def parse(line):
    """(statement, op, args...), with ints and slot names ready: running it parses nothing."""
    a = line.split()
    if a[0] in ('collect', 'saveall', 'cycles', 'objects', 'enable'):
        a[1] = int(a[1])
    elif a[0] == 'setthreshold':
        a[1:] = [int(t) for t in a[1:]]
    elif a[0] == 'atom':
        a[2] = int(a[2])
    elif a[0] == 'setslot':
        a[2] = 's' + a[2]
    return (line,) + tuple(a)


VARS = ['v%d' % i for i in range(8)]


def generate(rnd):
    """A random program that only does what Python allows (weakrefs to weakref-able instances...)."""
    header = []
    classes = []
    if rnd.random() < 0.3:
        header.append('threshold %d %d %d' % (rnd.choice([20, 50, 100]), rnd.randint(1, 4), rnd.randint(1, 4)))
    if rnd.random() < 0.3:
        header.append('callbacks')
    for i in range(rnd.randint(2, 3)):
        nslots = rnd.randint(0, 3)
        weak = rnd.random() < 0.6
        fin = rnd.choice(['none', 'log', 'log', 'resurrect', 'collect'] if rnd.random() < 0.3 else ['none', 'log'])
        classes.append((nslots, weak))
        header.append('class C%d %d %d %s' % (i, nslots, int(weak), fin))
    kind = {}

    def pick(pred=lambda k: True):
        names = [x for x in VARS if x in kind and pred(kind[x])]
        return rnd.choice(names) if names else None

    body = []
    saveall = False
    for _ in range(rnd.randint(25, 55)):
        r = rnd.random()
        target = rnd.choice(VARS)
        if r < 0.10:
            body.append('list ' + target)
            kind[target] = 'list'
        elif r < 0.15:
            body.append('dict ' + target)
            kind[target] = 'dict'
        elif r < 0.29:
            c = rnd.randrange(len(classes))
            body.append('inst %s C%d' % (target, c))
            kind[target] = ('inst', c)
        elif r < 0.32:
            body.append('atom %s %d' % (target, rnd.randrange(100)))
            kind[target] = 'atom'
        elif r < 0.38:
            items = [pick() for _ in range(rnd.randint(1, 3))]
            items = [x for x in items if x is not None and x != target]
            if items:
                body.append('tuple %s %s' % (target, ' '.join(items)))
                kind[target] = 'tuple'
        elif r < 0.44:
            x = pick(lambda k: isinstance(k, tuple) and classes[k[1]][1])
            if x is not None and x != target:
                body.append('weak %s %s %s' % (target, x, rnd.choice(['cb', 'cb', 'cbcollect', 'nocb'])))
                kind[target] = 'weak'
        elif r < 0.52:
            l, x = pick(lambda k: k == 'list'), pick()
            if l and x:
                body.append('append %s %s' % (l, x))
        elif r < 0.57:
            d, x = pick(lambda k: k == 'dict'), pick()
            if d and x:
                body.append('setitem %s k%d %s' % (d, rnd.randrange(4), x))
        elif r < 0.595:
            d = pick(lambda k: k == 'dict')
            if d:
                body.append('delitem %s k%d' % (d, rnd.randrange(4)))
        elif r < 0.60:
            body.append('freeze')
        elif r < 0.615:
            body.append('objects %d' % rnd.randrange(3))
        elif r < 0.617:
            body.append('setthreshold %d %d %d' % (rnd.choice([0, 5, 50, 700]), rnd.randint(0, 10), rnd.randint(0, 10)))
        elif r < 0.619:
            body.append('enable %d' % rnd.choice([0, 1, 1]))
        elif r < 0.62:
            d, t, x = pick(lambda k: k == 'dict'), pick(lambda k: k == 'atom' or isinstance(k, tuple)), pick()
            if d and t and x:
                body.append('tkey %s %s %s' % (d, t, x))
        elif r < 0.65:
            o, x = pick(lambda k: isinstance(k, tuple) and classes[k[1]][0] > 0), pick()
            if o and x:
                body.append('setslot %s %d %s' % (o, rnd.randrange(classes[kind[o][1]][0]), x))
        elif r < 0.67:
            w = pick(lambda k: k == 'weak')
            if w:
                body.append('deref ' + w)
        elif r < 0.71:
            x = pick(lambda k: k in ('tuple', 'dict'))
            if x:
                body.append('tracked ' + x)
        elif r < 0.79:
            x = pick()
            if x:
                body.append('del ' + x)
                del kind[x]
        elif r < 0.88:
            body.append('cycles %d' % rnd.choice([5, 30, 100, 300, 700, 1500]))
        elif r < 0.95:
            body.append('collect %d' % rnd.choice([0, 1, 2]))
        elif r < 0.98:
            saveall = not saveall
            body.append('saveall %d' % (32 if saveall else 0))
        else:
            body.append('cleargarbage')
    for x in VARS:
        if x in kind:
            body.append('del ' + x)
    body.append('collect 2')
    return header, body


def main():
    gc.disable()
    gc.collect()
    print('# generated by objects/scripts/record_gc_steps.py under CPython %s' % sys.version.split()[0])
    count = int(sys.argv[1]) if len(sys.argv) > 1 else PROGRAMS
    for seed in range(count):
        header, body = generate(random.Random(seed))
        out = run(header, [parse(line) for line in body])
        print('program %d' % seed)
        for line in header:
            print('  ' + line)
        print('steps')
        for line in out:
            print('  ' + line)
        print('end')


if __name__ == '__main__':
    main()
