#!/usr/bin/env python3
"""drop_to_served.py - time from rename() into the capsule to the first
20 response for the dropped article, over Gemini.

    bench/drop_to_served.py [--bin ./capsuled] [--sizes 10000,100000]
                            [--drops 20] [--dir /dev/shm/capsuled-bench]

For each size it makes a capsule (with ../shared/tools/gen-capsule when
it exists, else a small generator of its own), starts capsuled on it,
then 20 times writes an article to a temporary name outside the
capsule, renames it in, and requests its address as fast as it can
until the answer is 20.  It prints the median and the worst time, and
the server's own "published in N ms" figures.
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
    p = subprocess.Popen([binary, "-g", "0", "-p", "0", "-d", capsule,
                          "-C", certs] + list(extra),
                         stderr=subprocess.PIPE, text=True)
    port = None
    t0 = time.time()
    for line in p.stderr:
        m = re.search(r"listening gemini 0\.0\.0\.0:(\d+)", line)
        if m:
            port = int(m.group(1))
        if "serving" in line:
            break
    print("  started in %.2f s" % (time.time() - t0))
    lines = []
    # keep reading: a full pipe would block the server's log writes
    threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True).start()
    return p, port, lines


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


def run(binary, base, n, drops):
    capsule = os.path.join(base, "c%d" % n)
    print("capsule of %d articles:" % n)
    make_capsule(capsule, n)
    certs = tempfile.mkdtemp()
    p, port, lines = start(binary, capsule, certs)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    times = []
    try:
        # the listeners are bound before the capsule is read and indexed:
        # the first request waits in the backlog until the server is ready
        t0 = time.monotonic()
        status(ctx, port, "/", timeout=120)
        print("  first answer %.2f s after the listening lines; serving "
              "process RSS %.0f MB" % (time.monotonic() - t0,
                                       child_rss(p.pid) / 1e6))
        for k in range(drops):
            slug = "bench-drop-article-%d-%d" % (n, k)
            tmp = os.path.join(base, ".drop.tmp")
            with open(tmp, "w") as f:
                f.write("Bench Drop Article %d %d\nA paragraph.\n" % (n, k))
            t0 = time.monotonic()
            os.rename(tmp, os.path.join(capsule, "zz_drop_%d.txt" % k))
            deadline = t0 + 10
            while time.monotonic() < deadline:
                if status(ctx, port, "/articles/%s.gmi" % slug) == b"20":
                    break
            times.append(time.monotonic() - t0)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        time.sleep(0.2)
        err = "".join(lines)
        for k in range(drops):
            try:
                os.unlink(os.path.join(capsule, "zz_drop_%d.txt" % k))
            except OSError:
                pass
        shutil.rmtree(certs, ignore_errors=True)
    pub = [int(x) for x in re.findall(r"published in (\d+) ms", err)]
    idx = [int(x) for x in re.findall(r"text index (\d+) ms", err)]
    print("  drop-to-served over %d drops: median %.0f ms, worst %.0f ms"
          % (drops, statistics.median(times) * 1000, max(times) * 1000))
    if pub:
        print("  server: snapshot built in median %d ms, worst %d ms"
              % (statistics.median(pub), max(pub)))
    if idx:
        print("  server: of which the text index, median %d ms, worst %d ms"
              % (statistics.median(idx), max(idx)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="./capsuled")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--drops", type=int, default=20)
    ap.add_argument("--dir", default="/dev/shm/capsuled-bench")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for n in [int(x) for x in a.sizes.split(",")]:
        run(a.bin, a.dir, n, a.drops)


if __name__ == "__main__":
    main()
