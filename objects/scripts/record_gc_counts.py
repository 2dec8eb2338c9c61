"""Records gc.collect()'s result for small programs under CPython 3.11 (automatic collection off).

Usage: python3.11 record_gc_counts.py > ../src/test/resources/gc-counts-3.11.txt
Each line: "<program name> <count returned by gc.collect() after the program>".
CollectorCpythonCountsTest builds the same graphs on an ObjectSpace and compares.
"""
import gc
import sys


class A:
    __slots__ = ('x',)


class B:
    __slots__ = ('x', 'y')


def self_list():
    l = []
    l.append(l)


def two_lists():
    a = []
    b = []
    a.append(b)
    b.append(a)


def dict_cycle():
    d = {}
    d['self'] = d


def instance_self_cycle():
    a = A()
    a.x = a


def instance_pair():
    a = A()
    b = A()
    a.x = b
    b.x = a


def list_tuple_cycle():
    l = []
    t = (l,)
    l.append(t)


def cycle_holding_int_dict():
    l = [{1: 2}]          # a dict of ints is never tracked
    l.append(l)


def cycle_holding_young_int_tuple():
    l = [tuple([1, 2])]   # tracked until a collection looks at it
    l.append(l)


def cycle_with_tail():
    l = []
    l.append(l)
    l.append([[], []])    # three more lists, freed with the cycle


def mixed_ring():
    a = A()
    d = {}
    l = [d]
    d['a'] = a
    a.x = (l, 5)


SURVIVOR = []


def survivor():
    s = []
    s.append(s)
    SURVIVOR.append(s)     # reachable from outside


PROGRAMS = [self_list, two_lists, dict_cycle, instance_self_cycle, instance_pair, list_tuple_cycle,
            cycle_holding_int_dict, cycle_holding_young_int_tuple, cycle_with_tail, mixed_ring, survivor]

if __name__ == '__main__':
    gc.disable()
    print('# CPython', sys.version.split()[0])
    for p in PROGRAMS:
        gc.collect()
        p()
        print(p.__name__, gc.collect())
