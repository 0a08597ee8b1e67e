#!/usr/bin/env python3
"""Steady HTTP load on loopback for the tests that profile a web app (tests/targets/Web).

Usage: webload.py BASE_URL COUNTS_FILE [--threads N] [--pause-ms MS] [--max-seconds S] [--stop-file PATH]

Each thread keeps one connection and asks for /json, /lock, /fail, /alloc and /compute in turn, pausing MS
between requests, until the stop file exists or S seconds have passed (a bounded run: it always stops by
itself). Every 100 ms, COUNTS_FILE is replaced (write and rename) by one JSON object: for each endpoint, the
requests answered 200 so far ("ok") and those that failed ("failed": an error, a timeout, any other status,
a body that is not what the endpoint answers), with "time" (Unix seconds) and "last_error". Only loopback
addresses are accepted.
"""
import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse

ENDPOINTS = ["json", "lock", "fail", "alloc", "compute"]


def body_ok(endpoint, body):
    if endpoint == "json":
        return body.startswith(b"[{") and body.count(b'"id"') == 20
    if endpoint == "fail":
        return body == b"rejected"
    if endpoint == "alloc":
        return body == b"25600"
    return body.isdigit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("counts")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pause-ms", type=float, default=2.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--stop-file")
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"webload: {url.hostname} is not a loopback address")

    lock = threading.Lock()
    ok = {e: 0 for e in ENDPOINTS}
    failed = {e: 0 for e in ENDPOINTS}
    last_error = [""]
    deadline = time.monotonic() + args.max_seconds
    done = threading.Event()

    def stopping():
        if done.is_set() or time.monotonic() > deadline:
            return True
        if args.stop_file and os.path.exists(args.stop_file):
            done.set()
        return done.is_set()

    def worker(offset):
        conn = None
        i = offset
        while not stopping():
            endpoint = ENDPOINTS[i % len(ENDPOINTS)]
            i += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
                conn.request("GET", "/" + endpoint)
                resp = conn.getresponse()
                body = resp.read()
                good = resp.status == 200 and body_ok(endpoint, body)
                error = "" if good else f"/{endpoint}: status {resp.status}, {body[:80]!r}"
            except (OSError, http.client.HTTPException) as e:
                good, error = False, f"/{endpoint}: {type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
            with lock:
                if good:
                    ok[endpoint] += 1
                else:
                    failed[endpoint] += 1
                    last_error[0] = error
            if args.pause_ms > 0:
                time.sleep(args.pause_ms / 1000.0)
        if conn is not None:
            conn.close()

    def write_counts():
        with lock:
            snap = {"time": time.time(), "ok": dict(ok), "failed": dict(failed), "last_error": last_error[0]}
        tmp = args.counts + ".tmp"
        with open(tmp, "w") as f:
            json.dump(snap, f)
        os.replace(tmp, args.counts)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(args.threads)]
    for t in threads:
        t.start()
    while not stopping():
        write_counts()
        time.sleep(0.1)
    for t in threads:
        t.join(timeout=15)
    write_counts()


if __name__ == "__main__":
    main()
