#!/usr/bin/env python3
"""titan_to_served.py - time from a Titan upload's first byte to its
30 (which capsuled sends once the snapshot holding it is published),
then a check that the article's page answers 20 at once.

    bench/titan_to_served.py [--bin ./capsuled] [--size 10000]
                             [--uploads 20] [--dir /dev/shm/capsuled-bench]

Makes the capsule as drop_to_served.py does, a client certificate with
`openssl req`, a configuration naming it as the author, starts capsuled
and uploads 20 new articles one after the other.  Prints the median and
the worst time.  As root, the capsule is given to nobody (the writer's
user).
"""
import argparse, hashlib, os, signal, socket, ssl, statistics, subprocess
import sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drop_to_served import make_capsule, start, status  # noqa: E402


def cert(d):
    crt, key = os.path.join(d, "a.crt"), os.path.join(d, "a.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=bench"],
                   check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert(open(crt).read())
    h = hashlib.sha256(der).hexdigest().upper()
    return crt, key, "SHA256:" + ":".join(h[i:i + 2] for i in range(0, 64, 2))


def upload(ctx, port, name, body):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(b"titan://localhost:%d/%s;size=%d\r\n" %
                      (port, name.encode(), len(body)) + body)
            data = b""
            while True:
                d = t.recv(4096)
                if not d:
                    return data
                data += d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="./capsuled")
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--uploads", type=int, default=20)
    ap.add_argument("--dir", default="/dev/shm/capsuled-bench")
    a = ap.parse_args()
    capsule = os.path.join(a.dir, "c%d" % a.size)
    make_capsule(capsule, a.size)
    d = tempfile.mkdtemp()
    crt, key, fp = cert(d)
    if os.geteuid() == 0:
        for p, _, files in os.walk(capsule):
            os.chown(p, 65534, 65534)
            for f in files:
                os.chown(os.path.join(p, f), 65534, 65534)
    conf = os.path.join(d, "c.conf")
    with open(conf, "w") as f:
        f.write("host localhost\ncapsule %s\ncerts %s\ntitan yes\n"
                "author %s\n" % (capsule, d, fp))
    p, port, lines, _ = start(os.path.abspath(a.bin), capsule, d,
                           extra=["-c", conf])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(crt, key)
    times, late = [], 0
    try:
        status(ctx, port, "/", timeout=120)
        for k in range(a.uploads):
            body = b"Titan Bench Article %d\n\nA paragraph.\n" % k
            t0 = time.monotonic()
            r = upload(ctx, port, "zz_titan_%d.txt" % k, body)
            times.append(time.monotonic() - t0)
            if not r.startswith(b"30 ") or status(
                    ctx, port, "/articles/titan-bench-article-%d.gmi" % k) \
                    != b"20":
                late += 1
        for k in range(a.uploads):
            upload(ctx, port, "zz_titan_%d.txt" % k, b"")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
    print("capsule of %d articles: upload-to-30 over %d uploads: median "
          "%.0f ms, worst %.0f ms; not served right after the 30: %d" %
          (a.size, a.uploads, statistics.median(times) * 1000,
           max(times) * 1000, late))


if __name__ == "__main__":
    main()
