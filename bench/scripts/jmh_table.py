#!/usr/bin/env python3
"""Turn a JMH JSON result file into the README's Markdown tables.

usage: python3 bench/scripts/jmh_table.py bench/results/allocator-jmh.json

One table per benchmark class; one row per parameter set; one column per method, with the
score (ns per operation, ± the 99.9% error) and its ratio to the pymalloc column of the same
row, so every figure is a ratio against a baseline measured in the same run.
"""
import json
import sys
from collections import OrderedDict


def main(path):
    results = json.load(open(path))
    tables = OrderedDict()
    for r in results:
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = ", ".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items())) or "-"
        m = r["primaryMetric"]
        tables.setdefault(cls, OrderedDict()).setdefault(params, OrderedDict())[method] = (m["score"], m["scoreError"])
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
                cells.append(f"{score:.1f} ± {err:.1f} ({ratio:.2f}×)")
            print(f"| {params} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/allocator-jmh.json")
