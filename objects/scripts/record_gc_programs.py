"""Random object-graph programs run under CPython 3.11 with automatic collection off: what each
explicit gc.collect() returns, what gc.garbage holds under DEBUG_SAVEALL, and the order in which
finalizers (__del__) and weakref callbacks run. CollectorProgramsTest runs the same programs on an
ObjectSpace and compares line by line.

Usage: python3.11 record_gc_programs.py [COUNT, default 80] > ../src/test/resources/gc-programs-3.11.txt

A program is a list of operations on variables v0..v7 (each holding one reference):
  class NAME NSLOTS WEAK(0|1) FIN(none|log|resurrect)   define a class with __slots__ (and __weakref__)
  list V | dict V | inst V CLASS | tuple V A [B...]     make an object into V (dropping V's old one)
  weak V X cb|nocb                                      V = weakref.ref(X[, callback])
  append L X | setitem D KEY X | setslot O I X          link objects
  deref W                                               log the label of W's referent, or None
  del V                                                 drop V's reference
  collect G | saveall 0|1 | cleargarbage | clearsurvivors
Every object made gets a label oN (N counts up from 0 per program); a weakref call that returns
the existing basic ref makes nothing new. Output lines: "del oN" from a finalizer, "cb oN" from a
weakref callback (N the weakref's label), "deref oN|None", "collect N" or "collect N garbage G
[labels]" under DEBUG_SAVEALL, "survivors K".
"""
import gc
import random
import sys
import weakref

LOG = []
LABELS = {}
SURVIVORS = []


def callback(wr):
    LOG.append('cb ' + LABELS[id(wr)])


def log_del(self):
    LOG.append('del ' + LABELS[id(self)])


def resurrect_del(self):
    LOG.append('del ' + LABELS[id(self)])
    SURVIVORS.append(self)


FINALIZERS = {'log': log_del, 'resurrect': resurrect_del}


def run(program):
    """Runs a program; returns its output lines."""
    LOG.clear()
    LABELS.clear()
    classes = {}
    v = {}
    serial = [0]

    def labelled(o):
        LABELS[id(o)] = 'o%d' % serial[0]
        serial[0] += 1
        return o

    # Objects go straight into v: no local may hold a reference the program does not see.

    for line in program:
        op, *a = line.split()
        if op == 'class':
            name, nslots, weak, fin = a[0], int(a[1]), a[2] == '1', a[3]
            slots = tuple('s%d' % i for i in range(nslots)) + (('__weakref__',) if weak else ())
            ns = {'__slots__': slots}
            if fin != 'none':
                ns['__del__'] = FINALIZERS[fin]
            classes[name] = type(name, (), ns)
        elif op == 'list':
            v[a[0]] = labelled([])
        elif op == 'dict':
            v[a[0]] = labelled({})
        elif op == 'inst':
            v[a[0]] = labelled(classes[a[1]]())
        elif op == 'tuple':
            v[a[0]] = labelled(tuple([v[x] for x in a[1:]]))
        elif op == 'weak':
            before = {id(r) for r in weakref.getweakrefs(v[a[1]])}
            w = weakref.ref(v[a[1]], callback) if a[2] == 'cb' else weakref.ref(v[a[1]])
            v[a[0]] = w if id(w) in before else labelled(w)
            del w
        elif op == 'append':
            v[a[0]].append(v[a[1]])
        elif op == 'setitem':
            v[a[0]][a[1]] = v[a[2]]
        elif op == 'setslot':
            setattr(v[a[0]], 's' + a[1], v[a[2]])
        elif op == 'deref':
            r = v[a[0]]()
            LOG.append('deref ' + ('None' if r is None else LABELS[id(r)]))
            del r
        elif op == 'del':
            del v[a[0]]
        elif op == 'collect':
            n = gc.collect(int(a[0]))
            if gc.get_debug() & gc.DEBUG_SAVEALL:
                LOG.append('collect %d garbage %d %s' % (n, len(gc.garbage), ' '.join(LABELS.get(id(o), type(o).__name__) for o in gc.garbage)))
            else:
                LOG.append('collect %d' % n)
        elif op == 'saveall':
            gc.set_debug(gc.DEBUG_SAVEALL if a[0] == '1' else 0)
        elif op == 'cleargarbage':
            del gc.garbage[:]
        elif op == 'clearsurvivors':
            LOG.append('survivors %d' % len(SURVIVORS))
            del SURVIVORS[:]
        else:
            raise ValueError(line)
    v.clear()
    classes.clear()
    gc.set_debug(0)
    out = list(LOG)
    while gc.garbage or SURVIVORS:      # leave nothing behind for the next program
        del gc.garbage[:]
        del SURVIVORS[:]
        gc.collect()
    gc.collect()
    return out


VARS = ['v%d' % i for i in range(8)]


def generate(rnd):
    """A random program that only does what Python allows (weakrefs to weakref-able instances...)."""
    prog = []
    classes = []
    for i in range(rnd.randint(2, 4)):
        name = 'C%d' % i
        nslots = rnd.randint(1, 3)
        weak = rnd.random() < 0.6
        fin = rnd.choice(['none', 'log', 'log', 'resurrect'] if rnd.random() < 0.3 else ['none', 'log'])
        classes.append((name, nslots, weak))
        prog.append('class %s %d %d %s' % (name, nslots, int(weak), fin))
    kind = {}          # variable -> ('list'|'dict'|'tuple'|'weak'|('inst', class index))

    def pick(pred=lambda k: True):
        names = [x for x in VARS if x in kind and pred(kind[x])]
        return rnd.choice(names) if names else None

    saveall = False
    for _ in range(rnd.randint(20, 60)):
        r = rnd.random()
        target = rnd.choice(VARS)
        if r < 0.12:
            prog.append('list ' + target)
            kind[target] = 'list'
        elif r < 0.18:
            prog.append('dict ' + target)
            kind[target] = 'dict'
        elif r < 0.36:
            c = rnd.randrange(len(classes))
            prog.append('inst %s %s' % (target, classes[c][0]))
            kind[target] = ('inst', c)
        elif r < 0.41:
            items = [pick() for _ in range(rnd.randint(1, 3))]
            items = [x for x in items if x is not None and x != target]
            if items:
                prog.append('tuple %s %s' % (target, ' '.join(items)))
                kind[target] = 'tuple'
        elif r < 0.50:
            x = pick(lambda k: isinstance(k, tuple) and classes[k[1]][2])
            if x is not None and x != target:
                prog.append('weak %s %s %s' % (target, x, rnd.choice(['cb', 'cb', 'nocb'])))
                kind[target] = 'weak'
        elif r < 0.60:
            l, x = pick(lambda k: k == 'list'), pick()
            if l and x:
                prog.append('append %s %s' % (l, x))
        elif r < 0.65:
            d, x = pick(lambda k: k == 'dict'), pick()
            if d and x:
                prog.append('setitem %s k%d %s' % (d, rnd.randrange(4), x))
        elif r < 0.77:
            o, x = pick(lambda k: isinstance(k, tuple)), pick()
            if o and x:
                prog.append('setslot %s %d %s' % (o, rnd.randrange(classes[kind[o][1]][1]), x))
        elif r < 0.80:
            w = pick(lambda k: k == 'weak')
            if w:
                prog.append('deref ' + w)
        elif r < 0.90:
            x = pick()
            if x:
                prog.append('del ' + x)
                del kind[x]
        elif r < 0.97:
            prog.append('collect %d' % rnd.choice([0, 1, 2, 2, 2]))
        elif r < 0.985:
            saveall = not saveall
            prog.append('saveall %d' % int(saveall))
        else:
            prog.append('cleargarbage')
    for x in VARS:
        if x in kind:
            prog.append('del ' + x)
    prog.append('collect 2')
    if saveall:
        prog.append('saveall 0')
        prog.append('cleargarbage')
        prog.append('collect 2')
    prog.append('clearsurvivors')
    prog.append('collect 2')
    return prog


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    gc.disable()
    gc.collect()
    print('# generated by objects/scripts/record_gc_programs.py under CPython %s' % sys.version.split()[0])
    for seed in range(count):
        program = generate(random.Random(seed))
        out = run(program)
        print('program %d' % seed)
        for line in program:
            print('  ' + line)
        print('expect')
        for line in out:
            print('  ' + line)
        print('end')


if __name__ == '__main__':
    main()
