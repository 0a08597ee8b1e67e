#!/usr/bin/env python3
"""Reads a gzip-compressed pprof profile (perftools.profiles.Profile) with pprof_read.py's protobuf decoder and
prints, as JSON, its mappings (id, memory range, file offset, file, build-id, has_functions) and its locations
(id, mapping id, address, function names), for tests/e2e/native.sh to check. Usage: pprof_mappings.py FILE.pb.gz"""
import gzip
import json
import sys

from pprof_read import fields  # the one protobuf decoder of the tests, beside this file


def main():
    data = gzip.open(sys.argv[1]).read()
    strings, mappings, locations, functions = [], [], [], {}
    for field, _, value in fields(data):
        if field == 6:
            strings.append(value.decode("utf-8"))
        elif field == 3:
            mappings.append({f: v for f, _, v in fields(value)})
        elif field == 4:
            loc = {"lines": []}
            for f, _, v in fields(value):
                if f == 4:
                    loc["lines"].append({lf: lv for lf, _, lv in fields(v)}.get(1, 0))
                else:
                    loc[f] = v
            locations.append(loc)
        elif field == 5:
            fn = {f: v for f, _, v in fields(value)}
            functions[fn.get(1, 0)] = fn.get(2, 0)
    out = {
        "mappings": [{"id": m.get(1, 0), "start": m.get(2, 0), "limit": m.get(3, 0), "offset": m.get(4, 0),
                      "file": strings[m.get(5, 0)], "build_id": strings[m.get(6, 0)],
                      "has_functions": bool(m.get(7, 0))} for m in mappings],
        "locations": [{"id": l.get(1, 0), "mapping": l.get(2, 0), "address": l.get(3, 0),
                       "functions": [strings[functions.get(fid, 0)] for fid in l["lines"]]} for l in locations],
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
