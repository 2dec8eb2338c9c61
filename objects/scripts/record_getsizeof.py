#!/usr/bin/env python3
"""Records CPython's sys.getsizeof figures for the object layer's tests.

Run with CPython 3.11 (64-bit):
    /root/.pyenv/versions/3.11.7/bin/python3 objects/scripts/record_getsizeof.py \
        > objects/src/test/resources/getsizeof-3.11.txt

Each line is "kind<TAB>argument<TAB>size". SizeOfTest builds the same object with an
ObjectSpace for each kind, exactly the way the builder functions below build it here.
"""
import sys

assert sys.version_info[:2] == (3, 11), "record with CPython 3.11"
assert sys.maxsize == 2**63 - 1, "record with a 64-bit build"


def codepoints(s):
    return " ".join("%x" % ord(c) for c in s) or "-"


def list_by_appends(n):
    lst = []
    for _ in range(n):
        lst.append(None)
    return lst


def dict_int_keys(n):
    d = {}
    for i in range(n):
        d[i] = None
    return d


def dict_str_keys(n):
    d = {}
    for i in range(n):
        d["k%d" % i] = None
    return d


def instance_with_slots(n):
    cls = type("C%d" % n, (), {"__slots__": tuple("s%d" % i for i in range(n))})
    return cls()


rows = []
rows.append(("none", "-", None))
rows.append(("bool", "True", True))
rows.append(("bool", "False", False))
for v in [0, 1, -1, 5, -5, 256, 257, 2**30 - 1, 2**30, -2**30, 2**60 - 1, 2**60, 2**63 - 1,
          -2**63, 2**64, 2**90, 10**100, -10**100, 2**300]:
    rows.append(("int", str(v), v))
for v in ["0.0", "1.5", "-2.25", "1e300"]:
    rows.append(("float", v, float(v)))
for n in [0, 1, 2, 10, 100, 479, 480, 1000]:
    rows.append(("bytes", str(n), bytes(n)))
for s in ["", "a", "abc", "0123456789", "\u00e9", "\u00e9\u00e9\u00e9", "a\u00ff", "\u20ac",
          "a\u20acb", "\U0001F600", "x\U0001F600y", "x" * 200, "\u00e9" * 200, "\u20ac" * 200]:
    rows.append(("str", codepoints(s), s))
for n in [0, 1, 2, 3, 10, 19, 20, 100]:
    rows.append(("tuple", str(n), tuple([None] * n)))
for n in [0, 1, 4, 5, 8, 9, 16, 17, 24, 25, 32, 33, 40, 41, 52, 53, 64, 65, 76, 77, 1000]:
    rows.append(("list-append", str(n), list_by_appends(n)))
for n in [0, 1, 3, 10]:
    rows.append(("list-new", str(n), [None] * n))
for n in [0, 1, 5, 6, 10, 11, 21, 22, 42, 43, 85, 86, 100, 1000]:
    rows.append(("dict-int", str(n), dict_int_keys(n)))
for n in [0, 1, 5, 6, 11, 100]:
    rows.append(("dict-str", str(n), dict_str_keys(n)))
for n in [0, 1, 2, 5]:
    rows.append(("instance", str(n), instance_with_slots(n)))

print("# sys.getsizeof recorded from CPython %s (%s); see objects/scripts/record_getsizeof.py"
      % (sys.version.split()[0], sys.platform))
for kind, arg, obj in rows:
    print("%s\t%s\t%d" % (kind, arg, sys.getsizeof(obj)))
