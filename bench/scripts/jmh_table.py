#!/usr/bin/env python3
"""Turn a JMH JSON result file into the README's Markdown tables.

usage: python3 bench/scripts/jmh_table.py bench/results/allocator-jmh.json

One table per benchmark class; one row per parameter set; one column per method, with the
score (ns per operation, ± the 99.9% error where JMH gives one) and its ratio to the pymalloc
column of the same row, so every figure is a ratio against a baseline measured in the same run.
Scores in other units are converted to ns per operation first: a throughput (the replays' ops/s)
so that its ratio is one of times, as the header says, not upside down; ms/op and us/op (the
collector's pauses, the tracer) so that the column means one thing.
"""
import json
import sys
from collections import OrderedDict


NANOS_PER = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}


def nanos(score, error, unit):
    """A score and its error as ns per operation; the error is None where JMH wrote "NaN"."""
    error = None if isinstance(error, str) or error != error else error
    if unit.endswith("/s"):  # operations per second; the error of 1/x to first order
        ns = 1e9 / score
        return ns, None if error is None else ns * error / score
    if unit not in NANOS_PER:
        raise SystemExit(f"jmh_table.py: unknown score unit {unit!r}")
    return score * NANOS_PER[unit], None if error is None else error * NANOS_PER[unit]


def fmt(v):
    """Three significant figures, as the bench command's tables print them."""
    a = abs(v)
    return f"{v:,.0f}" if a >= 99.95 else f"{v:.1f}" if a >= 9.995 else f"{v:.2f}" if a >= 0.9995 else f"{v:.3f}"


def main(path):
    results = json.load(open(path))
    tables = OrderedDict()
    for r in results:
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items())) or "-"
        m = r["primaryMetric"]
        tables.setdefault(cls, OrderedDict()).setdefault(params, OrderedDict())[method] = nanos(
            m["score"], m["scoreError"], m["scoreUnit"])
    for cls, rows in tables.items():
        methods = []
        for row in rows.values():
            for name in row:
                if name not in methods:
                    methods.append(name)
        base = "pymalloc" if "pymalloc" in methods else methods[0]
        methods.sort(key=lambda n: (n != base, n))
        print(f"**{cls}** (ns per operation; in brackets: time / {base} time)\n")
        print("| params | " + " | ".join(methods) + " |")
        print("| --- |" + " ---: |" * len(methods))
        for params, row in rows.items():
            cells = []
            for name in methods:
                if name not in row:
                    cells.append("")
                    continue
                score, err = row[name]
                ratio = score / row[base][0] if base in row and row[base][0] else float("nan")
                spread = "" if err is None else f" ± {fmt(err)}"
                cells.append(f"{fmt(score)}{spread} ({ratio:.2f}×)")
            print(f"| {params} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/allocator-jmh.json")
