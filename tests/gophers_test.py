#!/usr/bin/env python3
"""gophers_test.py [BIN]: Gopher over TLS (gophers://) on the Gopher port.

A client whose first byte opens a TLS handshake record (0x16) gets a TLS
handshake, with the certificate chosen as for Gemini (SNI), then the
same Gopher exchange inside TLS, ended with close_notify; any other
first byte is plain Gopher, as before (capsuled(8), SERVING).  The
server runs a configuration of two hosts (one.example serves Gopher,
two.example has a certificate of its own) and is talked to with curl,
Python's ssl module, openssl s_client and raw sockets:

  1. curl gophers:// gets the root menu, an article's menu and its text
     byte for byte as plain Gopher does, on the same port in the same run;
  2. Python ssl (TLS 1.2 and 1.3, with and without SNI) the same, a file
     of several TLS records too, each ended with close_notify;
  3. the certificate is chosen by SNI: openssl s_client verifies each
     host's name against that host's certificate file; no SNI, the first
     host's;
  4. menu items over TLS keep the Gopher host and port;
  5. a client that sends 0x16 and stalls, and one that completes the
     handshake and stalls, are closed at the deadline (-T) while others
     are served;
  6. garbage after 0x16 is closed at once, and the server keeps serving;
     a ClientHello sent as the request inside TLS is closed with no
     answer, as the Gopher adapter closed one before TLS was spoken here;
  7. the per-address limit closes a gophers client over it before any
     TLS (limit-loopback yes);
  8. the access log says "gophers" for TLS and "gopher" for plain.

Only 127.0.0.1 and 127.0.0.2 are used, ports are ephemeral, every wait
has a deadline; the last line is `N passed, N failed`.
"""

import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HOST, T, Server, cleanup, client_ctx,  # noqa: E402
                     fetch, gopher_req, items, poll, public_tmpdir,
                     run_main, sanitizer_check, short, start_watchdog, write)

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
DEADLINE = 2            # the main server's timeout (-T)
LIMIT_DEADLINE = 10     # the per-address server's: held connections stay
WATCHDOG = 90
ALT = ("127.0.0.2", 0)  # another loopback source address
TLS12 = client_ctx(maxv=ssl.TLSVersion.TLSv1_2)
TLS13 = client_ctx(minv=ssl.TLSVersion.TLSv1_3)
SLUG = "welcome-to-capsuled"


# ---------------------------------------------------------------- setup

def make_capsules():
    """one.example's capsule (the sample articles and a 100 KB file) and
    two.example's (one article)."""
    one = public_tmpdir("capsuled-gophers-one-")
    for f in sorted(os.listdir(os.path.join(ROOT, "capsule"))):
        if f.endswith(".txt"):
            shutil.copy2(os.path.join(ROOT, "capsule", f), one)
            os.chmod(os.path.join(one, f), 0o644)
    os.makedirs(os.path.join(one, "files"))
    os.chmod(os.path.join(one, "files"), 0o755)
    blob = os.path.join(one, "files", "blob.bin")
    with open(blob, "wb") as f:
        f.write(random.Random(7070).randbytes(100 * 1024))
    os.chmod(blob, 0o644)
    two = public_tmpdir("capsuled-gophers-two-")
    write(os.path.join(two, "second.txt"), "The Second Host\nIts text.\n")
    return one, two


def start(binary, one, two, certs, extra=""):
    d = public_tmpdir("capsuled-gophers-conf-")
    conf = os.path.join(d, "capsuled.conf")
    write(conf, extra + "\nhost one.example\ncapsule %s\ncerts %s\n\n"
          "host two.example\ncapsule %s\ncerts %s\n" % (one, certs, two,
                                                        certs))
    srv = Server([binary, "-c", conf, "-g", "0", "-p", "0"])
    if not T.check("server started%s" % (" (%s)" % extra.strip()
                                          if extra else ""), srv.start(),
                   "listening lines", srv.lines_since(0)[-5:]):
        return None
    return srv


def cert_der(certs, name):
    with open(os.path.join(certs, name + ".crt")) as f:
        pem = f.read()
    m = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                  pem, re.S)
    return ssl.PEM_cert_to_DER_cert(m.group(0)) if m else b""


# -------------------------------------------------------------- clients

def plain(port, sel, **kw):
    """The plain Gopher answer to sel (str), read to the server's close;
    None if it did not end in a clean close."""
    r = gopher_req(sel.encode() + b"\r\n", port, **kw)
    return r.raw if r.eof and not r.reset else None


def tls(port, sel, **kw):
    """gophers: sel + CRLF inside TLS (harness.fetch: no certificate
    check); a Reply whose raw is the answer, clean when close_notify
    ended it."""
    return fetch(port, sel.encode() + b"\r\n", **kw)


def run(argv, inp=b"", timeout=15):
    try:
        p = subprocess.run(argv, input=inp, capture_output=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, b"", b"timeout"


def curl(url):
    return run(["curl", "-sS", "-k", "--max-time", "5", url], timeout=10)


def s_client(port, sni, name, cafile, inp):
    """openssl s_client with SNI sni, verifying name against cafile: its
    verdict and what it read."""
    rc, out, err = run(["openssl", "s_client", "-connect",
                        "%s:%d" % (HOST, port)] +
                       (["-servername", sni] if sni else ["-noservername"]) +
                       ["-verify_hostname", name, "-CAfile", cafile,
                        "-verify_return_error", "-brief", "-ign_eof"],
                       inp=inp)
    text = (out + err).decode("utf-8", "replace")
    m = re.search(r"Verification: (\S+)", text)
    return (m.group(1) if m else text[-300:]), out


# --------------------------------------------------------------- checks

def check_same_bytes(port, want):
    """1, 2: curl and Python ssl get what plain Gopher gets."""
    for sel, url in (("", "/"), ("/articles/%s/" % SLUG,
                                 "/1/articles/%s/" % SLUG),
                     ("/articles/%s.txt" % SLUG, "/0/articles/%s.txt" % SLUG)):
        rc, out, err = curl("gophers://127.0.0.1:%d%s" % (port, url))
        T.check("curl gophers://%s equals plain Gopher" % url,
                rc == 0 and out == want[sel], want[sel],
                out if rc == 0 else "rc %d: %r" % (rc, err[-200:]))
        rc, out, err = curl("gopher://127.0.0.1:%d%s" % (port, url))
        T.check("curl gopher://%s on the same port, same run" % url,
                rc == 0 and out == want[sel], want[sel],
                out if rc == 0 else "rc %d: %r" % (rc, err[-200:]))
    for name, kw in (("TLS 1.3, SNI one.example",
                      dict(ctx=TLS13, sni="one.example")),
                     ("TLS 1.2, SNI one.example",
                      dict(ctx=TLS12, sni="one.example")),
                     ("no SNI", dict(sni=None))):
        for sel in sorted(want):    # the 100 KB file: many TLS records
            r = tls(port, sel, **kw)
            T.check("Python ssl %s %r: the plain answer" % (name, sel),
                    r.raw == want[sel], want[sel], r)
            T.check("Python ssl %s %r: ends with close_notify" % (name, sel),
                    r.clean and r.error is None, "close_notify", r)


def check_certificates(port, certs, root):
    """3: the certificate as for Gemini: by SNI, else the first host's."""
    one, two = cert_der(certs, "one.example"), cert_der(certs, "two.example")
    T.check("two certificates, one per host", one and two and one != two,
            "two different certificates", (len(one), len(two)))
    for sni, der in (("one.example", one), ("two.example", two),
                     (None, one), ("unknown.example", one)):
        r = tls(port, "", sni=sni)
        T.check("Python ssl SNI %s: %s's certificate" % (
            sni, "one" if der == one else "two"),
            r.cert == der and r.raw.endswith(b".\r\n"),
            "that host's certificate and the root menu", r)
    for sni in ("one.example", "two.example"):
        v, out = s_client(port, sni, sni, os.path.join(certs, sni + ".crt"),
                          b"\r\n")
        T.check("openssl s_client -servername %s: verified as %s" % (sni, sni),
                v == "OK", "Verification: OK", v)
        T.check("openssl s_client -servername %s: the root menu" % sni,
                out == root, root, out)
    v, _ = s_client(port, "one.example", "two.example",
                    os.path.join(certs, "two.example.crt"), b"\r\n")
    T.check("openssl s_client: SNI one.example is not two.example's "
            "certificate", v != "OK", "a verification failure", v)
    v, _ = s_client(port, None, "one.example",
                    os.path.join(certs, "one.example.crt"), b"\r\n")
    T.check("openssl s_client without SNI: the first host's certificate",
            v == "OK", "Verification: OK", v)


def check_items(port, root):
    """4: menus over TLS point at the same host and port."""
    its = items(tls(port, "", sni="two.example").raw)
    bad = [i for i in its if i[0] != "i" and (i[3], i[4]) !=
           ("one.example", str(port))]
    T.check("menu items over TLS keep the Gopher host and port",
            its and not bad, "one.example\t%d on every item" % port,
            bad[:3] or its[:3])
    T.check("menu over TLS with SNI two.example: still the Gopher host's",
            its == items(root), root, its)


def check_stalls(port, want):
    """5: the deadline holds for TLS on the Gopher port."""
    res = {}
    jobs = {"0x16": lambda: gopher_req(b"\x16", port, timeout=DEADLINE + 5),
            "a handshake": lambda: fetch(port, b"", sni="one.example",
                                         timeout=DEADLINE + 5)}
    threads = [threading.Thread(target=lambda k=k, f=f: res.update({k: f()}))
               for k, f in jobs.items()]
    for t in threads:
        t.start()
    r = tls(port, "", timeout=5)
    T.check("while two clients stall, a gophers client is served",
            r.raw == want[""] and r.clean and r.elapsed < 1.5,
            "the root menu within 1.5 s", "%r after %.2f s" % (r, r.elapsed))
    p = gopher_req(b"\r\n", port, timeout=5)
    T.check("while two clients stall, a plain client is served",
            p.raw == want[""] and p.elapsed < 1.5,
            "the root menu within 1.5 s", "%r after %.2f s" % (p, p.elapsed))
    for t in threads:
        t.join(DEADLINE + 10)
    for name, r in sorted(res.items()):
        T.check("%s then silence: closed at the deadline (%d s)" % (name,
                                                                    DEADLINE),
                r.eof and not r.raw and (name == "0x16" or r.version) and
                DEADLINE * 0.75 <= r.elapsed <= DEADLINE + 2,
                "closed, no data, after %.1f-%d s" % (DEADLINE * 0.75,
                                                     DEADLINE + 2),
                "%r eof=%s after %.2f s" % (r, r.eof, r.elapsed))


def check_garbage(port, want):
    """6: what is not TLS after 0x16, and TLS in TLS."""
    rnd = random.Random(1436)
    for name, payload in (
            ("TLS record header + 20000 random bytes",
             b"\x16\x03\x01" + rnd.randbytes(20000)),
            ("ClientHello-like record of 256 random bytes",
             b"\x16\x03\x01\x01\x00\x01" + rnd.randbytes(255))):
        r = gopher_req(payload, port, timeout=DEADLINE + 3)
        T.check("garbage %s: closed at once, no Gopher answer" % name,
                r.eof and r.elapsed < 1.0 and (r.raw == b"" or
                                               r.raw.startswith(b"\x15")),
                "EOF or reset (after an alert) within 1 s",
                "%r eof=%s after %.2f s" % (r.raw[:40], r.eof, r.elapsed))
        t, p = tls(port, ""), plain(port, "")
        T.check("garbage %s: still serves gophers and gopher" % name,
                t.raw == want[""] and p == want[""],
                "the root menu both ways", (t, p))
    hello = b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"
    r = tls(port, hello.decode("latin-1"), timeout=DEADLINE + 3)
    T.check("a ClientHello as the request inside TLS: closed at once, no "
            "answer", r.raw == b"" and r.eof and r.elapsed < 1.0,
            "no bytes, closed within 1 s", "%r after %.2f s" % (r,
                                                                 r.elapsed))


def check_log(srv):
    """8: the protocol field says gophers for TLS (capsuled(8), ACCESS LOG)."""
    def line(proto):
        pat = re.compile(rb'^capsuled: \S+Z 127\.0\.0\.1 %s - "/caps\.txt" '
                         rb'ok \d+ \d+ [0-9.]+ms complete$' % proto)
        return srv.wait_line(lambda l: pat.match(l) is not None)
    tls(srv.gport, "/caps.txt")
    plain(srv.gport, "/caps.txt")
    for proto in (b"gophers", b"gopher"):
        got = line(proto)
        T.check("access line of /caps.txt over %s" % proto.decode(),
                got is not None, "... 127.0.0.1 %s - \"/caps.txt\" ok ..." %
                proto.decode(), srv.lines_since(0)[-4:])


def check_per_address(binary, one, two, certs):
    """7: over its address's share, a gophers client gets no handshake."""
    srv = start(binary, one, two, certs, "timeout %d\n"
                "max-connections-per-address 2\nlimit-loopback yes\n" %
                LIMIT_DEADLINE)
    if srv is None:
        return
    port = srv.gport
    # this server's root menu (its port is in it), from another address:
    # a connection of 127.0.0.1 is counted until the server has seen it
    # close, which may be after the next one is accepted
    root = tls(port, "", source=ALT).raw
    held = []
    try:
        for _ in range(2):      # handshake done: accepted and counted
            s = socket.create_connection((HOST, port), timeout=5)
            held.append(client_ctx().wrap_socket(
                s, server_hostname="one.example"))
        r = tls(port, "", timeout=5)
        T.check("per-address: 3rd from 127.0.0.1 over TLS closed before "
                "any TLS", r.raw == b"" and r.version is None and
                r.error is not None and r.elapsed < 1.0,
                "a failed handshake within 1 s", "%r version %s after %.2f s"
                % (r, r.version, r.elapsed))
        p = gopher_req(b"\r\n", port, timeout=5)
        T.check("per-address: 3rd from 127.0.0.1 plain closed without data",
                p.raw == b"" and p.eof, "no data, EOF", p)
        r = tls(port, "", source=ALT, timeout=5)
        T.check("per-address: gophers from 127.0.0.2 still served",
                root and r.raw == root and r.clean, "the root menu", r)
    finally:
        for s in held:
            s.close()
    ok, r, _ = poll(lambda: (lambda x: (x.raw == root, x))(
        tls(port, "", timeout=5)), timeout=5)
    T.check("per-address: 127.0.0.1 served again once they closed", ok,
            "the root menu", r)
    T.check("per-address server exits 0 on SIGTERM", srv.stop() == 0, 0,
            srv.rc)
    sanitizer_check("per-address server", srv.text())


def main():
    binary = os.path.realpath(sys.argv[1] if len(sys.argv) > 1
                              else "./capsuled")
    os.chdir(ROOT)
    timer = start_watchdog(WATCHDOG)
    for tool in ("curl", "openssl"):
        if shutil.which(tool) is None:
            T.check("%s installed" % tool, False, tool, "missing")
            return
    one, two = make_capsules()
    certs = public_tmpdir("capsuled-gophers-certs-")
    try:
        srv = start(binary, one, two, certs, "timeout %d\n" % DEADLINE)
        if srv is None:
            return
        port = srv.gport
        want = {sel: plain(port, sel) for sel in
                ("", "/articles/%s/" % SLUG, "/articles/%s.txt" % SLUG,
                 "/files/blob.bin")}
        T.check("plain Gopher answers (the reference)",
                all(v and not re.match(rb"3[^\t]*\t\terror\.host", v)
                    for v in want.values()), "four answers",
                {k: short(v, 40) for k, v in want.items()})
        check_same_bytes(port, want)
        check_certificates(port, certs, want[""])
        check_items(port, want[""])
        check_stalls(port, want)
        check_garbage(port, want)
        check_log(srv)
        T.check("server alive after all that", srv.alive(), "running",
                srv.lines_since(0)[-3:])
        T.check("server exits 0 on SIGTERM", srv.stop() == 0, 0, srv.rc)
        sanitizer_check("server", srv.text())
        check_per_address(binary, one, two, certs)
    finally:
        cleanup()
        timer.cancel()


if __name__ == "__main__":
    run_main(main)
