"""resume_test.py BIN GNUTLS_CHAIN: TLS session resumption as real
clients do it, with three TLS stacks.

Each row chains connections to the real binary and counts how many
were resumed; every connection after the first must be:
- OpenSSL, single use: `openssl s_client -sess_in` of the previous
  connection's `-sess_out` (TLS 1.3), and one TLS 1.2 session reused;
- GnuTLS: tests/gnutls_chain.c (the newest session data, used once, TLS
  1.3 and 1.2; one TLS 1.2 session reused) and `gnutls-cli --resume`;
- Python's ssl: the first session reused, and the newest chained (each
  connection must bring a fresh ticket: a session other than the one
  offered);
- 8 clients at once (the server's two worker threads);
- across ticket key rotations (CAPSULED_TICKET_KEY_SECONDS=1), and a
  ticket older than two periods refused.
`openssl s_client -msg` also counts the NewSessionTicket messages:
exactly one after a full and after a resumed TLS 1.3 handshake.
"""

import concurrent.futures
import os
import re
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (T, HOST, Server, cleanup, client_ctx, finish,  # noqa
                     public_tmpdir, sanitizer_check, start_watchdog, write)

CHAIN = 20
WATCHDOG = 240
URL = b"gemini://localhost/\r\n"


def run(argv, stdin=b"", timeout=20):
    try:
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None, "timeout"


def s_client(port, extra):
    """One s_client connection sending the request and reading to the
    end (-ign_eof), so the post-handshake ticket is read too."""
    return run(["openssl", "s_client", "-ign_eof", "-connect",
                "%s:%d" % (HOST, port), "-servername", "localhost"] + extra,
               URL)


def reused(out):
    return re.search(r"^Reused, ", out, re.M) is not None


def row(name, resumed, total, detail=""):
    T.check("%s: %d connections, every one after the first resumed" %
            (name, total), resumed == total - 1,
            "%d resumed" % (total - 1), "%d resumed %s" % (resumed, detail))


# ------------------------------------------------------------- OpenSSL

def openssl_chain(port, tmp):
    """TLS 1.3, each session used once: -sess_in the previous -sess_out."""
    sess = os.path.join(tmp, "s13-%d")
    n = 0
    missing = []
    for i in range(CHAIN):
        extra = ["-tls1_3", "-sess_out", sess % i]
        if i > 0:
            extra += ["-sess_in", sess % (i - 1)]
        rc, out = s_client(port, extra)
        n += i > 0 and reused(out)
        if not os.path.exists(sess % i):
            missing.append(i)
            break
    row("OpenSSL s_client TLS 1.3 single use", n, CHAIN,
        "(no -sess_out written after connection %s)" % missing
        if missing else "")


def openssl_reuse12(port, tmp):
    """TLS 1.2: one session (one ticket) offered every time."""
    sess = os.path.join(tmp, "s12")
    n = 0
    for i in range(CHAIN):
        extra = ["-tls1_2"] + (["-sess_in", sess] if i > 0 else
                               ["-sess_out", sess])
        rc, out = s_client(port, extra)
        n += i > 0 and reused(out)
    row("OpenSSL s_client TLS 1.2 one session reused", n, CHAIN)


def openssl_ticket_count(port, tmp):
    """Exactly one NewSessionTicket after a full and a resumed TLS 1.3
    handshake."""
    sess = os.path.join(tmp, "count-%d")
    for i, what in enumerate(("full", "resumed")):
        extra = ["-tls1_3", "-msg", "-sess_out", sess % i]
        if i > 0:
            extra += ["-sess_in", sess % (i - 1)]
        rc, out = s_client(port, extra)
        n = len(re.findall(r"<<< TLS 1.3, Handshake \[length [0-9a-f]+\], "
                           r"NewSessionTicket", out))
        T.check("OpenSSL: one ticket after a %s TLS 1.3 handshake" % what,
                n == 1 and (i == 0 or reused(out)), "1 ticket",
                "%d tickets, reused=%s" % (n, reused(out)))


# -------------------------------------------------------------- GnuTLS

def gnutls_rows(port, chain_bin):
    for name, flags in (("TLS 1.3 newest, used once", []),
                        ("TLS 1.2 newest, used once", ["-2"]),
                        ("TLS 1.2 one session reused", ["-2", "-r"]),
                        ("TLS 1.3 one session reused", ["-r"])):
        rc, out = run([chain_bin, "-p", str(port), "-n", str(CHAIN)] + flags)
        m = re.search(r"connections=(\d+) resumed=(\d+) ok=(\d+)", out)
        T.check("GnuTLS %s: every reply 20" % name, rc == 0 and m and
                m.group(3) == str(CHAIN), "ok=%d" % CHAIN, out.strip())
        row("GnuTLS %s" % name, int(m.group(2)) if m else -1, CHAIN)
    # TLS 1.3: the ticket comes after the handshake, and without
    # --waitresumption gnutls-cli waits for it only its estimate of the
    # round trip plus 60 ms before it reconnects: on a loaded machine
    # the second connection then is a full handshake now and then
    for name, prio, wait in (
            ("TLS 1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3", ["--waitresumption"]),
            ("TLS 1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.2", [])):
        rc, out = run(["gnutls-cli", "--insecure", "--resume"] + wait +
                      ["--priority", prio, "-p", str(port), HOST], URL)
        T.check("gnutls-cli --resume %s: resumed" % name,
                "This is a resumed session" in out,
                "'This is a resumed session'", out[-600:])


# -------------------------------------------------------------- Python

def py_fetch(port, ctx, session):
    """One connection offering session: (reused, new session, ok)."""
    sock = socket.create_connection((HOST, port), timeout=10)
    try:
        s = ctx.wrap_socket(sock, server_hostname="localhost",
                            session=session)
        sock = s
        s.sendall(URL)
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        return s.session_reused, s.session, data.startswith(b"20 ")
    except (OSError, ssl.SSLError):
        return False, None, False
    finally:
        sock.close()


def ctx_of(version):
    ctx = client_ctx()
    ctx.minimum_version = ctx.maximum_version = version
    return ctx


def py_chain(port, version, reuse, n=CHAIN, pause=0.0):
    """(resumed, fresh): how many connections resumed, and how many
    brought a session other than the one they offered."""
    ctx = ctx_of(version)
    first = sess = None
    resumed = fresh = 0
    for i in range(n):
        r, new, ok = py_fetch(port, ctx, sess)
        if not ok:
            return resumed, fresh
        resumed += i > 0 and r
        fresh += i > 0 and new is not None and new.id != sess.id
        if first is None:
            first = new
        sess = first if reuse else new
        if pause:
            time.sleep(pause)
    return resumed, fresh


def python_rows(port):
    v13, v12 = ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2
    r, _ = py_chain(port, v13, True)
    row("Python ssl TLS 1.3 first session reused", r, CHAIN)
    r, fresh = py_chain(port, v13, False)
    row("Python ssl TLS 1.3 newest chained", r, CHAIN)
    T.check("Python ssl TLS 1.3: a fresh ticket after every resumption",
            fresh == CHAIN - 1, CHAIN - 1, fresh)
    r, _ = py_chain(port, v12, True)
    row("Python ssl TLS 1.2 one session reused", r, CHAIN)


def concurrent_rows(port):
    """8 clients at once, each chaining its newest TLS 1.3 session: the
    two worker threads share the ticket keys."""
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futs = [pool.submit(py_chain, port, ssl.TLSVersion.TLSv1_3, False)
                for _ in range(8)]
        got = [f.result() for f in futs]
    total = sum(r for r, _ in got)
    T.check("8 concurrent TLS 1.3 chains: every connection after the "
            "first resumed", total == 8 * (CHAIN - 1), 8 * (CHAIN - 1), got)


# ------------------------------------------------------------ rotation

def rotation_row(port, name, version):
    r, _ = py_chain(port, version, False, n=8, pause=0.5)
    row("%s chain across key rotations" % name, r, 8)
    ctx = ctx_of(version)
    _, sess, ok = py_fetch(port, ctx, None)
    time.sleep(3.2)
    r, sess, ok2 = py_fetch(port, ctx, sess)
    T.check("%s: a ticket of a key 2 periods old is refused" % name,
            ok and ok2 and not r, "full handshake", "reused=%s" % r)
    r, _, ok = py_fetch(port, ctx, sess)
    T.check("%s: the new ticket resumes" % name, r and ok, "resumed", r)


def rotation_rows(binary, capsule, certs):
    """Keys rotated every second: a chain 0.5 s apart crosses several
    rotations and resumes throughout; a ticket left for 3.2 s (its key
    more than two periods old) is refused, and the chain goes on."""
    env = dict(os.environ, CAPSULED_TICKET_KEY_SECONDS="1")
    s = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certs],
               env=env)
    try:
        if not T.check("rotation server: listening", s.start(),
                       "listening lines", s.text()[-400:]):
            return
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for f in [pool.submit(rotation_row, s.port, name, version)
                      for name, version in (
                          ("TLS 1.3", ssl.TLSVersion.TLSv1_3),
                          ("TLS 1.2", ssl.TLSVersion.TLSv1_2))]:
                f.result()
    finally:
        rc = s.stop()
        T.check("rotation server: SIGTERM exit 0", rc == 0, 0, rc)
        sanitizer_check("rotation server", s.text())


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    chain_bin = os.path.abspath(sys.argv[2] if len(sys.argv) > 2
                                else "build/tests/gnutls_chain")
    timer = start_watchdog(WATCHDOG)
    capsule = public_tmpdir("capsuled-resume-")
    certs = public_tmpdir("capsuled-resume-certs-")
    certs_rot = public_tmpdir("capsuled-resume-certs-rot-")
    tmp = public_tmpdir("capsuled-resume-sess-")
    write(os.path.join(capsule, "a.txt"), "A title\n\nSome text.\n")
    # the rotation rows wait (0.5 s between connections, 3.2 s for a
    # ticket to age): their own server, meanwhile
    rot = concurrent.futures.ThreadPoolExecutor(1)
    s = Server([binary, "-g", "0", "-p", "0", "-d", capsule, "-C", certs])
    try:
        rotation = rot.submit(rotation_rows, binary, capsule, certs_rot)
        if T.check("listening", s.start(), "listening lines",
                   s.text()[-400:]):
            t0 = time.monotonic()
            openssl_chain(s.port, tmp)
            openssl_reuse12(s.port, tmp)
            openssl_ticket_count(s.port, tmp)
            gnutls_rows(s.port, chain_bin)
            python_rows(s.port)
            concurrent_rows(s.port)
            T.note("chains done in %.1f s" % (time.monotonic() - t0))
        rc = s.stop()
        T.check("SIGTERM exit 0", rc == 0, 0, rc)
        sanitizer_check("server", s.text())
        rotation.result()
    finally:
        rot.shutdown()
        cleanup()
    timer.cancel()
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
