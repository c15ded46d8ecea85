#!/usr/bin/env python3
"""drop_to_served.py - time from rename() into the capsule to the first
20 response for the dropped article, over Gemini.

    bench/drop_to_served.py [--bin ./capsuled[,other]] [--sizes 10000,100000]
                            [--drops 20] [--batch 1000]
                            [--dir /dev/shm/capsuled-bench]

For each size it makes a capsule (with ../shared/tools/gen-capsule when
it exists, else a small generator of its own), and for each binary
(several, comma-separated, are measured side by side on the same
capsules) starts capsuled on it and measures:
  - start to first answer: from starting the process to the first 20
    for the home page (a request sent as soon as the port is known),
    and the serving process's resident memory then;
  - an article dropped as soon as the first answer came, its time to
    be served (before the text index is built, for a large capsule);
  - 20 times: an article written to a temporary name outside the
    capsule, renamed in, and its address requested as fast as it can
    until the answer is 20 (median and worst);
  - a batch: 1,000 new articles renamed in one after the other, the
    time until every one of them is served;
and the server's own "published in N ms" figures.
"""
import argparse, os, random, re, shutil, signal, socket, ssl, statistics
import subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "shared", "tools", "gen-capsule")


def make_capsule(path, n):
    if os.path.isdir(path) and len(os.listdir(path)) == n:
        return
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(GEN):
        subprocess.run([sys.executable, GEN, "-n", str(n), "--out", path,
                        "-q"], check=True)
        return
    os.makedirs(path)
    rnd = random.Random(1)
    words = ["".join(rnd.choice("aeioulmnprst") for _ in range(rnd.randint(2, 9)))
             for _ in range(5000)]
    for i in range(n):
        title = " ".join(rnd.choice(words) for _ in range(6)).title()
        body = "\n".join(" ".join(rnd.choice(words) for _ in range(80))
                         for _ in range(5))
        with open(os.path.join(path, "%06d.txt" % i), "w") as f:
            f.write(title + " %d\n" % i + body)


def start(binary, capsule, certs, extra=()):
    """The process, its Gemini port, its log lines (read on a thread) and
    the monotonic time it was started; extra: more flags."""
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-g", "0", "-p", "0", "-d", capsule,
                          "-C", certs] + list(extra),
                         stderr=subprocess.PIPE, text=True)
    port = None
    for line in p.stderr:
        m = re.search(r"listening gemini 0\.0\.0\.0:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    lines = []
    # keep reading: a full pipe would block the server's log writes
    threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True).start()
    return p, port, lines, t0


def child_rss(pid):
    """Resident bytes of the serving process (pid's child)."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kid = int(f.read().split()[0])
        with open("/proc/%d/status" % kid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def status(ctx, port, path, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(b"gemini://localhost%s\r\n" % path.encode())
            head = b""
            while not head.endswith(b"\r\n"):
                d = t.recv(1)
                if not d:
                    break
                head += d
            return head[:2]


def served(ctx, port, slug, deadline):
    """Ask for slug until it is served (True) or the deadline passes."""
    while time.monotonic() < deadline:
        if status(ctx, port, "/articles/%s.gmi" % slug) == b"20":
            return True
    return False


def drop(base, capsule, name, title):
    tmp = os.path.join(base, ".drop.tmp")
    with open(tmp, "w") as f:
        f.write("%s\nA paragraph.\n" % title)
    os.rename(tmp, os.path.join(capsule, name))


def batch(ctx, port, base, capsule, n, size):
    """Seconds until all of `size` articles renamed in at once are served."""
    stage = os.path.join(base, ".batch")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    for k in range(size):
        with open(os.path.join(stage, "zz_batch_%d.txt" % k), "w") as f:
            f.write("Bench Batch Article %d %d\nA paragraph.\n" % (n, k))
    t0 = time.monotonic()
    for k in range(size):
        os.rename(os.path.join(stage, "zz_batch_%d.txt" % k),
                  os.path.join(capsule, "zz_batch_%d.txt" % k))
    deadline = t0 + 60
    ok = served(ctx, port, "bench-batch-article-%d-%d" % (n, size - 1),
                deadline)
    took = time.monotonic() - t0
    # the others: asking for each takes a while, so the time counts only
    # if one of them was not served yet (then: when the last one was)
    for k in range(size):
        slug = "bench-batch-article-%d-%d" % (n, k)
        if ok and status(ctx, port, "/articles/%s.gmi" % slug) != b"20":
            ok = served(ctx, port, slug, deadline)
            took = time.monotonic() - t0
    shutil.rmtree(stage, ignore_errors=True)
    return took if ok else None


def run(binary, base, n, drops, nbatch):
    capsule = os.path.join(base, "c%d" % n)
    print("%s, capsule of %d articles:" % (binary, n))
    make_capsule(capsule, n)
    certs = tempfile.mkdtemp()
    p, port, lines, t_start = start(binary, capsule, certs)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    times = []
    took = None
    try:
        # the listeners are bound before the capsule is read: the first
        # request waits in the backlog until a snapshot is served
        status(ctx, port, "/", timeout=300)
        print("  start to first answer %.2f s; serving process RSS %.0f MB"
              % (time.monotonic() - t_start, child_rss(p.pid) / 1e6))
        # one drop while the text index is being built (a large capsule
        # builds it on a thread of its own, the watcher publishes)
        t0 = time.monotonic()
        drop(base, capsule, "zz_drop_early.txt", "Bench Drop Early %d" % n)
        served(ctx, port, "bench-drop-early-%d" % n, t0 + 120)
        early = time.monotonic() - t0
        print("  a drop at the first answer served in %.0f ms (%s)"
              % (early * 1000, "the text index was built by then"
                 if any("text index of" in x for x in lines) else
                 "before the text index was built"))
        # the other drops are timed once the text index is built
        while not any("text index of" in x for x in lines):
            time.sleep(0.05)
        print("  text index built %.2f s after start; RSS %.0f MB"
              % (time.monotonic() - t_start, child_rss(p.pid) / 1e6))
        for k in range(drops):
            t0 = time.monotonic()
            drop(base, capsule, "zz_drop_%d.txt" % k,
                 "Bench Drop Article %d %d" % (n, k))
            served(ctx, port, "bench-drop-article-%d-%d" % (n, k), t0 + 10)
            times.append(time.monotonic() - t0)
        if nbatch > 0:
            took = batch(ctx, port, base, capsule, n, nbatch)
        rss = child_rss(p.pid)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        time.sleep(0.2)
        err = "".join(lines)
        for name in os.listdir(capsule):
            if name.startswith(("zz_drop_", "zz_batch_")):
                os.unlink(os.path.join(capsule, name))
        shutil.rmtree(certs, ignore_errors=True)
    # the early drop's snapshot first
    pub = [int(x) for x in re.findall(r"published in (\d+) ms", err)][1:]
    idx = [int(x) for x in re.findall(r"text index (\d+) ms", err)][1:]
    print("  drop-to-served over %d drops: median %.0f ms, worst %.0f ms"
          % (drops, statistics.median(times) * 1000, max(times) * 1000))
    if nbatch > 0:
        print("  batch of %d new articles: %s; RSS after %.0f MB"
              % (nbatch, "all served in %.0f ms" % (took * 1000)
                 if took is not None else "NOT all served within 60 s",
                 rss / 1e6))
    if pub:
        print("  server: snapshot built in median %d ms, worst %d ms"
              % (statistics.median(pub[:drops]), max(pub[:drops])))
        if len(pub) > drops:
            print("  server: the batch's snapshots took %s ms"
                  % ", ".join(str(x) for x in pub[drops:]))
    if idx:
        print("  server: of which the text index, median %d ms, worst %d ms"
              % (statistics.median(idx[:drops]), max(idx[:drops])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="./capsuled")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--dir", default="/dev/shm/capsuled-bench")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for n in [int(x) for x in a.sizes.split(",")]:
        for binary in a.bin.split(","):
            run(binary, a.dir, n, a.drops, a.batch)


if __name__ == "__main__":
    main()
