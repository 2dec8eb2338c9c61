#!/usr/bin/env python3
"""Split an allocation trace into its pool blocks and its raw blocks (stdlib only).

Usage:
    python3 split_trace.py TRACE POOLS_OUT RAW_OUT

A block's lineage runs from its malloc ("m SLOT SIZE") through its reallocs to
its free. A lineage that ever has a size of 0 or over 512 bytes (a raw block,
which both CPython and pymalloc4j hand to libc) goes whole to RAW_OUT, every
other one to POOLS_OUT, in the trace's order, so that each output is a valid
trace by itself. `pymalloc4j replay FILE --time` then times each part here and
under CPython's pymalloc. Prints the operation count and the raw lineages.
"""
import sys


def is_raw(size):
    return size == 0 or size > 512


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    ops = [line.split() for line in open(argv[1]) if line[:1] in ("m", "r", "f")]
    lineage_of_slot, lineages, raw = {}, [], set()
    for op in ops:
        slot = op[1]
        if op[0] == "m":
            lineage_of_slot[slot] = len(lineages)
            lineages.append(None)  # a new lineage's number
        lineage = lineage_of_slot[slot]
        if op[0] != "f" and is_raw(int(op[2])):
            raw.add(lineage)
        op.append(lineage)
    with open(argv[2], "w") as pools, open(argv[3], "w") as raws:
        for op in ops:
            (raws if op[-1] in raw else pools).write(" ".join(op[:-1]) + "\n")
    print(len(ops), "operations,", len(raw), "raw lineages")


if __name__ == "__main__":
    main(sys.argv)
