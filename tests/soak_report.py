"""soak_report.py: the soak test's closing table (tests/soak_test.py)
and its last checks: requests and failures per protocol, p50/p99 per
protocol and phase, uploads, operations, CPU, RSS, log lines."""

import bisect
import calendar
import os
import re
import time

from harness import T


def pct(v, q):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def report(r):
    """Print the table of a run r (a dict: see soak_test.py's body()) and
    check that no answer was wrong."""
    stats, ops, t0 = r["stats"], r["ops"], r["t0"]
    print("\n== soak report: %.0f s, %d articles, capsuled %s" % (
        r["elapsed"], r["articles"], os.path.basename(r["binary"])))
    print("%-14s %7s %7s %8s %8s  %s" % ("protocol", "reqs", "ok",
                                         "p50 ms", "p99 ms", "failures"))
    print("-" * 72)
    wrong = 0
    phases = []
    for p, st in stats.items():
        f = ", ".join("%s: %d" % kv for kv in sorted(st["fail"].items()))
        wrong += sum(v for k, v in st["fail"].items() if "allowed" not in k)
        lat = [x for v in st["lat"].values() for x in v]
        print("%-14s %7d %7d %8.1f %8.1f  %s" % (
            p, st["n"], st["ok"], 1000 * pct(lat, 0.5),
            1000 * pct(lat, 0.99), f or "-"))
        phases += [k for k in st["lat"] if k not in phases]
    print("\np50 / p99 ms by phase (readers pause while descriptors are "
          "exhausted)")
    print("%-14s" % "protocol" + "".join(" %13s" % k[:13] for k in phases))
    for p, st in stats.items():
        lat = st["lat"]
        print("%-14s" % p + "".join(
            " %13s" % ("%.0f / %.0f" % (1000 * pct(lat[k], 0.5),
                                        1000 * pct(lat[k], 0.99))
                       if k in lat else "-") for k in phases))
    server = server_latency(r["lines"], r["phases"])
    print("\nthe same, as the server logged them (accept to close, the "
          "access log's time; the readers' and Titan's address only)")
    print("%-14s" % "protocol" + "".join(" %13s" % k[:13] for k in phases))
    for p, lat in sorted(server.items()):
        print("%-14s" % p + "".join(
            " %13s" % ("%.1f / %.1f" % (pct(lat[k], 0.5), pct(lat[k], 0.99))
                       if k in lat else "-") for k in phases))
    cut = sum(v for st in stats.values() for k, v in st["fail"].items()
              if "kill" in k)
    print("\nrequests cut by the kill -9 (allowed): %d" % cut)
    print("uploads: %s; %d acknowledged versions verified, %d lost" % (
        ", ".join("%s %d" % kv for kv in r["uploads"].items()),
        r["versions"], r["lost"]))
    print("author file operations: %s; %d authors' articles on disk, all "
          "served" % (", ".join("%s %d" % kv for kv in
                                sorted(r["files"].items())), r["ndisk"]))
    for k, fmt in (("slow", "slow clients: %d held at the end, %d dropped "
                    "by the server, %d normal requests, worst %.3f s"),
                   ("idle", "idle connections: %d opened, %d closed by the "
                    "server, the last after %.1f s"),
                   ("burst", "burst: %d answered right, %d wrong, %d "
                    "failed, all in %.2f s"),
                   ("exhaust", "descriptors: %d ticks while exhausted, %d "
                    "log lines, %d waiting clients served after (limit "
                    "%d)"),
                   ("full", "full disk: Titan answered %s, old file intact "
                    "%s")):
        if k in ops:
            print(fmt % ops[k])
    print("SIGHUP: %d (%d with a configuration change)" % (
        ops.get("sighup", 0), ops.get("config changed", 0)))
    print("CPU: %.1f s of capsuled (every process, the dead ones too) in "
          "%.0f s" % (r["cpu"] / 100.0, r["elapsed"]))
    for name in ("start", "middle", "end"):
        print("RSS %-6s: %s" % (name, ", ".join(
            "%d: %d kB" % (k, v or 0) for k, v in
            sorted(r["rss"].get(name, {}).items()))))
    levels, warnings = log_levels(r["lines"])
    print("log lines: %s" % ", ".join("%s %d" % kv for kv in
                                       sorted(levels.items())))
    for w, n in sorted(warnings.items(), key=lambda kv: -kv[1])[:8]:
        print("  %6d  %s" % (n, w))
    print("events:")
    for t, msg in r["events"]:
        print("  %6.1f s  %s" % (t - t0, msg))
    print(flush=True)
    total = sum(st["n"] for st in stats.values())
    T.check("no wrong, truncated or mixed answer in %d requests" % total,
            wrong == 0, 0, wrong)
    T.check("every protocol answered", all(st["ok"] > 0
                                           for st in stats.values()), "> 0",
            {p: st["ok"] for p, st in stats.items()})
    T.check("uploads acknowledged", r["uploads"]["acked"] > 0, "> 0",
            r["uploads"])


def log_levels(lines):
    """Log lines by level, and the warnings and errors by kind (numbers,
    addresses and quoted names made alike)."""
    levels, kinds = {}, {}
    for line in lines:
        m = re.search(rb": (warning|error|fatal|skipped|notice|debug): (.*)",
                      line)
        k = m.group(1).decode() if m else "info and access"
        levels[k] = levels.get(k, 0) + 1
        if k in ("warning", "error", "fatal", "skipped"):
            w = m.group(2).decode("utf-8", "replace")
            w = re.sub(r"\[[^]]*\]|\d+(\.\d+)*(:\d+)?|\"[^\"]*\"|'[^']*'",
                       "#", w)[:110]
            kinds[k + ": " + w] = kinds.get(k + ": " + w, 0) + 1
    return levels, kinds


ACCESS = re.compile(rb"^capsuled: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) "
                    rb"127\.0\.0\.1 (\S+) .* ([\d.]+)ms \S+$")


def server_latency(lines, phases):
    """{protocol: {phase: [ms]}} of the access log's lines for the
    readers' address (127.0.0.1), each line in the phase its second fell
    in (phases: [(wall-clock time, name)], the first from the start)."""
    starts = [t for t, _ in phases]
    seconds = {}
    out = {}
    for line in lines:
        m = ACCESS.match(line)
        if not m:
            continue
        stamp = m.group(1)
        if stamp not in seconds:
            seconds[stamp] = calendar.timegm(time.strptime(
                stamp.decode(), "%Y-%m-%dT%H:%M:%SZ"))
        k = bisect.bisect_right(starts, seconds[stamp] + 0.5) - 1
        name = phases[max(k, 0)][1]
        out.setdefault(m.group(2).decode(), {}).setdefault(
            name, []).append(float(m.group(3)))
    return out
