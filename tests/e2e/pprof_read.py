#!/usr/bin/env python3
"""Reads a gzip-compressed pprof profile (perftools.profiles.Profile) with a protobuf decoder of its own, for the
e2e tests: prints `types <type>/<unit> ...`, then one line per sample, `root;...;leaf <value> <value>...` (each
location's first line's function name; pprof lists locations leaf first). Usage: pprof_read.py FILE"""
import gzip
import sys


def fields(buf):
    """Yields (field number, wire type, value) of one message: an int for varints, bytes for length-delimited."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            val, i = buf[i:i + n], i + n
        elif wire == 1:
            val, i = int.from_bytes(buf[i:i + 8], 'little'), i + 8
        elif wire == 5:
            val, i = int.from_bytes(buf[i:i + 4], 'little'), i + 4
        else:
            raise ValueError(f'wire type {wire}')
        yield num, wire, val


def varint(buf, i):
    v, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def ints(wire, val):
    """A repeated integer field's values, packed or not."""
    if wire == 0:
        return [val]
    out, i = [], 0
    while i < len(val):
        v, i = varint(val, i)
        out.append(v)
    return out


def main(path):
    data = gzip.open(path).read()
    strings, types, samples, locations, functions = [], [], [], {}, {}
    for num, wire, val in fields(data):
        if num == 6:
            strings.append(val.decode('utf-8'))
        elif num == 1:
            vt = dict((n, v) for n, _, v in fields(val))
            types.append((vt.get(1, 0), vt.get(2, 0)))
        elif num == 2:
            locs, vals = [], []
            for n, w, v in fields(val):
                if n == 1:
                    locs += ints(w, v)
                elif n == 2:
                    vals += ints(w, v)
            samples.append((locs, vals))
        elif num == 4:
            loc = {1: 0, 'fn': 0}
            for n, _, v in fields(val):
                if n == 1:
                    loc[1] = v
                elif n == 4 and not loc['fn']:
                    loc['fn'] = dict((a, b) for a, _, b in fields(v)).get(1, 0)
            locations[loc[1]] = loc['fn']
        elif num == 5:
            fn = dict((n, v) for n, _, v in fields(val))
            functions[fn.get(1, 0)] = fn.get(2, 0)
    print('types ' + ' '.join(f'{strings[t]}/{strings[u]}' for t, u in types))
    for locs, vals in samples:
        names = [strings[functions[locations[loc]]] for loc in reversed(locs)]
        print(';'.join(names) + ' ' + ' '.join(str(v) for v in vals))


if __name__ == '__main__':
    main(sys.argv[1])
