#!/usr/bin/env python3
"""search_stall.py - does searching stall the other clients?

    bench/search_stall.py [--bin ./capsuled] [--clients 8] [--seconds 20]
                          CAPSULE_DIR

Starts capsuled on CAPSULE_DIR (ephemeral ports, the default workers),
then measures the latency of "/" over Gemini (one client, one request at
a time, a new TLS connection each) twice: alone, and while CLIENTS
processes search in a loop for phrases of two to four words taken from
the capsule's articles (so that the phrase check has articles to read).
Prints p50, p99 and the worst latency of "/" in each phase and the
searches answered per second.  A search answers with status 20; any
other answer is counted as an error and printed once.  Then the CPU time
the serving process spends per search, beyond what a request for "/"
costs (one client, one request at a time): the work a search does on
an event loop, whatever the clients' own CPU does to the latencies on a
small machine.

For a capsule: ../shared/tools/gen-capsule -n 10000 --out /dev/shm/c10k
"""
import argparse, multiprocessing, os, random, re, shutil, socket, ssl
import subprocess, sys, tempfile, time
from urllib.parse import quote

CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


def gem(port, path, timeout=60):
    """The whole reply to gemini://localhost<path>."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with CTX.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(("gemini://localhost%s\r\n" % path).encode())
            out = bytearray()
            while True:
                d = t.recv(65536)
                if not d:
                    return bytes(out)
                out += d


def phrases(capsule, n, seed=1):
    """n phrases of 2-4 words found as written in the capsule's articles."""
    rnd = random.Random(seed)
    names = sorted(f for f in os.listdir(capsule) if f.endswith(".txt"))
    out = []
    while len(out) < n:
        with open(os.path.join(capsule, rnd.choice(names)),
                  encoding="utf-8") as f:
            lines = f.read().split("\n")[1:]
        words = re.findall(r"\w+", rnd.choice(lines) if lines else "")
        if len(words) < 4:
            continue
        k = rnd.randint(2, 4)
        i = rnd.randrange(len(words) - k + 1)
        out.append(" ".join(words[i:i + k]))
    return out


def searcher(port, qs, stop, counts, errors):
    i = 0
    while not stop.is_set():
        q = qs[i % len(qs)]
        i += 1
        try:
            r = gem(port, "/search?" + quote(q))
        except OSError as e:
            r = repr(e).encode()
        if r.startswith(b"20 "):
            with counts.get_lock():
                counts.value += 1
        else:
            with errors.get_lock():
                if errors.value == 0:
                    print("search %r: %r" % (q, r[:80]), file=sys.stderr)
                errors.value += 1


def latencies(port, seconds):
    lat = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic()
        r = gem(port, "/")
        lat.append(time.monotonic() - t)
        if not r.startswith(b"20 "):
            print("/: %r" % r[:80], file=sys.stderr)
    return sorted(lat)


def cpu_of(pid):
    """CPU seconds (user + system) of process pid and its threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serving_pid(parent):
    """The serving process: the parent's child."""
    with open("/proc/%d/task/%d/children" % (parent, parent)) as f:
        return int(f.read().split()[0])


def cpu_per_request(port, child, paths, rounds=3):
    """Server CPU ms per request over paths, one at a time."""
    t = cpu_of(child)
    for _ in range(rounds):
        for q in paths:
            gem(port, q)
    return (cpu_of(child) - t) * 1000 / (rounds * len(paths))


def report(name, lat):
    def pct(p):
        return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000
    print("%-22s %6d requests  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms" %
          (name, len(lat), pct(0.50), pct(0.99), lat[-1] * 1000))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="./capsuled")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("capsule")
    a = ap.parse_args()
    certs = tempfile.mkdtemp()
    # stderr to a file: the diagnostics of a large capsule would fill a pipe
    log = open(os.path.join(certs, "stderr"), "w+b")
    p = subprocess.Popen([a.bin, "-g", "0", "-p", "0", "-d", a.capsule,
                          "-C", certs, "-T", "60"], stderr=log,
                         stdout=subprocess.DEVNULL)
    try:
        port = None
        end = time.monotonic() + 60
        while port is None and p.poll() is None and time.monotonic() < end:
            time.sleep(0.1)
            log.seek(0)
            m = re.search(rb"listening gemini 0\.0\.0\.0:(\d+)", log.read())
            port = int(m.group(1)) if m else None
        if port is None:
            sys.exit("capsuled did not start")
        # the text index is built in the background: wait for search
        end = time.monotonic() + 300
        while not gem(port, "/search?tomato").startswith(b"20 "):
            if time.monotonic() > end:
                sys.exit("search never became available")
            time.sleep(0.2)
        qs = phrases(a.capsule, 400)
        gem(port, "/")
        report("/ alone", latencies(port, a.seconds))
        stop = multiprocessing.Event()
        counts = multiprocessing.Value("l", 0)
        errors = multiprocessing.Value("l", 0)
        procs = [multiprocessing.Process(target=searcher, args=(
            port, qs[k::a.clients], stop, counts, errors))
            for k in range(a.clients)]
        for pr in procs:
            pr.start()
        time.sleep(1)
        c0, t0 = counts.value, time.monotonic()
        lat = latencies(port, a.seconds)
        rate = (counts.value - c0) / (time.monotonic() - t0)
        stop.set()
        for pr in procs:
            pr.join()
        report("/ with %d searching" % a.clients, lat)
        print("searches: %.1f per second, %d errors" % (rate, errors.value))
        child = serving_pid(p.pid)
        search = cpu_per_request(port, child,
                                 ["/search?" + quote(q) for q in qs[:200]])
        home = cpu_per_request(port, child, ["/"] * 200)
        print("server CPU: %.2f ms per search, %.2f ms per /, so %.2f ms "
              "of search work" % (search, home, search - home))
    finally:
        p.terminate()
        p.wait()
        log.close()
        shutil.rmtree(certs, ignore_errors=True)


if __name__ == "__main__":
    main()
