#!/usr/bin/env python3
"""Checks a chrome-trace export of a Timeline target's session (tests/e2e/timeline.sh) strictly against the Trace
Event Format (required fields per phase, microsecond timestamps, non-negative durations, every event on a thread a
metadata event names, every stack frame defined) and against what the target printed it did: the burst of
exceptions, then the forced GC, then the lock convoy, each on its own thread, in that order, the pause as long as
runtime-pauses' report says. Prints one line per check; exits 1 when any failed.
Usage: check_trace.py TRACE.json TARGET_OUTPUT REPORT.json WAITS.raw"""
import json
import re
import sys

fails = 0


def check(name, ok, detail=""):
    global fails
    print(("ok: " if ok else "FAIL: ") + name + ("" if ok else " " + str(detail)))
    if not ok:
        fails += 1


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def schema(trace):
    """The format's rules, strictly."""
    check("top level: traceEvents, stackFrames, displayTimeUnit",
          isinstance(trace.get("traceEvents"), list) and isinstance(trace.get("stackFrames"), dict) and
          trace.get("displayTimeUnit") in ("ms", "ns"))
    frames = trace["stackFrames"]
    bad_frames = [k for k, f in frames.items()
                  if not isinstance(f.get("name"), str) or ("parent" in f and f["parent"] not in frames)]
    check("stackFrames: each has a name and a parent that exists", not bad_frames, bad_frames[:3])
    required = {"M": ("name", "pid", "tid", "args"), "X": ("name", "pid", "tid", "ts", "dur"),
                "i": ("name", "pid", "tid", "ts", "s")}
    named, problems = set(), []
    for e in trace["traceEvents"]:
        ph = e.get("ph")
        if ph not in required:
            problems.append(("phase", e))
            continue
        missing = [k for k in required[ph] if k not in e]
        if missing:
            problems.append(("missing " + ",".join(missing), e))
            continue
        if not (isinstance(e["pid"], int) and isinstance(e["tid"], int) and isinstance(e["name"], str)):
            problems.append(("types", e))
        if ph == "M":
            if e["name"] not in ("process_name", "thread_name", "thread_sort_index"):
                problems.append(("metadata name", e))
            if e["name"] == "thread_name":
                if not isinstance(e["args"].get("name"), str) or not e["args"]["name"]:
                    problems.append(("thread name", e))
                named.add(e["tid"])
            continue
        if not num(e["ts"]) or e["ts"] < 0:
            problems.append(("ts", e))
        if ph == "X" and (not num(e["dur"]) or e["dur"] < 0):
            problems.append(("dur", e))
        if ph == "i" and e["s"] not in ("t", "p", "g"):
            problems.append(("scope", e))
        if "sf" in e and e["sf"] not in frames:
            problems.append(("sf", e))
    check("every event has its phase's fields, of the right types", not problems, problems[:3])
    timed = [e for e in trace["traceEvents"] if e.get("ph") != "M"]
    unnamed = sorted({e["tid"] for e in timed} - named)
    check("every event's thread is named by a metadata event", not unnamed, unnamed[:5])
    return timed


def phases(path):
    """The target's lines: {phase: {field: value}}."""
    out = {}
    for line in open(path):
        m = re.match(r"^(exceptions|gc|convoy) (.*)$", line.strip())
        if m:
            out[m.group(1)] = dict(kv.split("=", 1) for kv in m.group(2).split())
    return out


def main():
    trace = json.load(open(sys.argv[1]))
    did = phases(sys.argv[2])
    report = json.load(open(sys.argv[3]))
    timed = schema(trace)
    zero = trace["otherData"]["zero_monotonic_ns"]
    us = lambda mono: (int(mono) - zero) / 1000.0  # a time the target printed, in the trace's microseconds
    check("the target did its three phases", set(did) == {"exceptions", "gc", "convoy"}, did)

    burst = did["exceptions"]
    b0, b1, btid = us(burst["start"]), us(burst["end"]), int(burst["tid"])
    throws = [e for e in timed if e.get("cat") == "throw" and e["name"] == "DrDotnet.Targets.TimelineBurstException"]
    catches = [e for e in timed if e.get("cat") == "catch" and e["name"] == "DrDotnet.Targets.TimelineBurstException"]
    check("burst: every throw and catch on the timeline", (len(throws), len(catches)) ==
          (int(burst["count"]), int(burst["count"])), (len(throws), len(catches)))
    check("burst: all on the thrower's thread", {e["tid"] for e in throws + catches} == {btid},
          {e["tid"] for e in throws + catches})
    check("burst: all within the phase's start and end",
          all(b0 - 1 <= e["ts"] <= b1 + 1 for e in throws + catches), (b0, b1, throws[:1], catches[-1:]))
    check("burst: each catch names its catcher",
          all(e["args"].get("caught_in") == "DrDotnet.Targets.Program.Burst" for e in catches), catches[:1])

    gc = did["gc"]
    g0, g1, gtid = us(gc["start"]), us(gc["end"]), int(gc["tid"])
    pauses = [e for e in timed if e.get("cat") == "pause" and g0 - 1 <= e["ts"] <= g1 + 1]
    check("gc: one pause within the phase", len(pauses) == 1, pauses)
    if pauses:
        p = pauses[0]
        check("gc: a gen 2 induced GC, suspended by the phase's thread",
              (p["args"]["generation"], p["args"]["induced"], p["args"]["suspended_by"]) == (2, True, gtid), p)
        check("gc: on the pauses' own track", p["tid"] not in {btid, gtid}, p)
        check("gc: ends within the phase", p["ts"] + p["dur"] <= g1 + 1, (p, g1))
        longest = [x for x in report["longest"] if abs(x["start_ms"] * 1000 - p["ts"]) < 0.002]
        check("gc: the pause's start and length are runtime-pauses' report's (microseconds)",
              len(longest) == 1 and abs(longest[0]["duration_ms"] * 1000 - p["dur"]) < 0.002, (p, report["longest"]))

    convoy = did["convoy"]
    c0, c1 = us(convoy["start"]), us(convoy["end"])
    ctids = {int(t) for t in convoy["tids"].split(",")}
    # waits times its events on the session's clock (its file says clock_origin_ns 0): the waits fall inside the
    # phase as the target timed it, give or take 1 ms (the target's own clock reads around them)
    origin = [line.split("\t") for line in open(sys.argv[4]) if line.startswith("m\tclock_origin_ns\t")]
    check("waits: on the session's clock", len(origin) == 1 and origin[0][2].strip() == "0", origin)
    slack = 1000
    # the convoy's waits: those of its threads (the runtime's own threads may wait on other locks meanwhile); the
    # runtime names the holder when the wait starts, 0 when the lock was being handed over at that instant
    locks = [e for e in timed if e.get("cat") == "lock" and e["tid"] in ctids and c0 - 20000 <= e["ts"] <= c1 + 20000]
    check("convoy: lock waits on the timeline", len(locks) >= 3, len(locks))
    check("convoy: each held by another convoy thread (or by none known)",
          all(e["args"]["owner"] in ctids | {0} and e["args"]["owner"] != e["tid"] for e in locks), locks[:2])
    check("convoy: most holders known", sum(1 for e in locks if e["args"]["owner"]) * 2 >= len(locks), locks[:4])
    check("convoy: the waits within the phase", all(c0 - slack <= e["ts"] and e["ts"] + e["dur"] <= c1 + slack
                                                     for e in locks), (c0, c1, slack, locks[:2]))
    cpu = [e for e in timed if e.get("cat") == "cpu" and e["tid"] in ctids and c0 <= e["ts"] <= c1]
    check("convoy: CPU samples of the spinning holders, with their stacks",
          len(cpu) >= 1 and all("sf" in e for e in cpu), len(cpu))
    check("order: the burst, then the GC, then the convoy",
          bool(throws and pauses and locks) and max(e["ts"] for e in throws + catches) < pauses[0]["ts"] <
          min(e["ts"] + e["dur"] for e in locks), "")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
