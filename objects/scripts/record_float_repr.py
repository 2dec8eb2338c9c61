#!/usr/bin/env python3
"""Records CPython's repr() of floats for the layout tables' test (PyReprTest).

Each line: the double's 8 bytes in big-endian hex, a space, repr(x). The values are the
edges of repr's layout (where it switches to an exponent, zeros, infinities, NaN, the extremes)
and seeded random doubles of every magnitude. Run with the CPython the project compares with:
    python3.11 objects/scripts/record_float_repr.py > objects/src/test/resources/float-repr-3.11.txt
"""
import random
import struct
import sys

EDGES = [0.0, -0.0, 1.5, -2.5, 0.1, 1 / 3, 100.0, 1e15, 1e16, 1.5e16, 9999999999999998.0,
         12345678901234567.0, 0.0001, 0.00001, 0.00012, 123456789.125, 5e-324, 2.2250738585072014e-308,
         1.7976931348623157e308, -2.5e-300, float("nan"), float("inf"), -float("inf")]


def main():
    random.seed(7)
    values = list(EDGES)
    for _ in range(300):
        values.append(struct.unpack("d", struct.pack("Q", random.getrandbits(64)))[0])
        values.append(random.uniform(-1e6, 1e6))
        values.append(random.random() * 10 ** random.randint(-30, 30))
    print("# repr(float) in CPython %s: the double's bytes (big-endian hex), then repr(x)" % sys.version.split()[0])
    for v in values:
        print(struct.pack(">d", v).hex(), repr(v))


if __name__ == "__main__":
    main()
