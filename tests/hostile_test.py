#!/usr/bin/env python3
"""hostile_test.py [BIN]: capsuled against hostile and careless clients.

Runs as root, as CI does, and starts the real binary (default ./capsuled)
several times, each on 127.0.0.1 only and on ephemeral ports, with the
capsule below a directory only root can traverse:

  1. sandbox facts of the serving child (/proc/PID/status) and
     `--sandbox-selftest`;
  2. a capsule below a root-only directory is still served;
  3. a certificate directory inside the capsule is refused;
  4. slowloris: 500 silent and 100 trickling connections while a client
     from 127.0.0.2 is served; every one of them is closed by the deadline;
  5. a client that asks for 32 MiB and never reads is dropped;
  6. TLS garbage, plaintext on the TLS port, 1 MB request lines;
  7. half-closed sockets get their whole answer;
  8. a connection flood beyond max-connections;
  9. max-connections-per-address with and without limit-loopback;
 10. the RSS of the serving child throughout;
 11. SIGTERM: exit 0; no sanitizer report.

Prints one line per failed check (name, want, got), notes, and last
`N passed, N failed`; exits 1 when a check failed.  Run from the
repository root (tests/hostile.sh does).
"""

import os
import pwd
import random
import re
import select
import selectors
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import SERVERS, T, Server, client_ctx, more_fds  # noqa: E402

HOST = "127.0.0.1"
ALT = "127.0.0.2"           # the well-behaved client: its own address
DEADLINE = 2                # the server's -T
IO_TIMEOUT = 10             # every socket, unless a check says less
START_TIMEOUT = 20          # until the listening lines on stderr
STOP_TIMEOUT = 40           # SIGTERM to exit
RSS_LIMIT_KB = 200 * 1024
RUN_LIMIT = 115             # the watchdog: the whole run stays < 120 s
T0 = time.monotonic()


# --------------------------------------------------------------- server

def proc_status(pid):
    """/proc/PID/status as a dict of str, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            text = f.read()
    except OSError:
        return None
    d = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        d[k] = v.strip()
    return d


def children(pid):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = proc_status(int(name))
        if st is not None and st.get("PPid") == str(pid):
            out.append(int(name))
    return sorted(out)


def start_server(name, binary, conf, capsule, certs, extra=(), env=None):
    """A server on a config file (loopback listeners); None if it failed."""
    argv = [binary, "-c", conf, "-d", capsule, "-C", certs,
            "-T", str(DEADLINE)] + list(extra)
    srv = Server(argv, env=env, name=name)
    if not T.check("%s: starts and prints its listening lines" % name,
                   srv.start(START_TIMEOUT),
                   "capsuled: listening gemini|gopher 127.0.0.1:PORT "
                   "within %d s" % START_TIMEOUT,
                   srv.text().decode("utf-8", "replace")[-800:]):
        return None, None, None
    # the listeners are bound by the parent before the child exists:
    # an answer proves the child is up, sandboxed and serving
    r = gem(srv.port, "/", timeout=START_TIMEOUT)
    if not T.check("%s: answers its first request" % name,
                   r.status == "20", "20", r):
        return None, None, None
    kids = children(srv.proc.pid)
    T.check("%s: one serving child" % name, len(kids) == 1, "1 child",
            kids)
    srv.child = kids[0] if kids else None
    return srv, srv.port, srv.gport


SAN_RE = re.compile(rb"ERROR: \w*Sanitizer|SUMMARY: \w*Sanitizer|"
                    rb"runtime error:|LeakSanitizer|AddressSanitizer")


def finish_server(srv):
    """SIGTERM: exit 0, no sanitizer report, the child never restarted."""
    rc = srv.stop(STOP_TIMEOUT)
    took = srv.stop_seconds
    T.check("%s: SIGTERM: exit 0 within %d s" % (srv.name, STOP_TIMEOUT),
            rc == 0, 0, "%s after %.1f s; stderr tail %r" %
            (rc, took, srv.text()[-600:]))
    T.note("%s: SIGTERM to exit: %.2f s" % (srv.name, took))
    text = srv.text()
    bad = [l for l in text.split(b"\n") if SAN_RE.search(l)]
    T.check("%s: no sanitizer report on stderr" % srv.name, not bad,
            "none", b"\n".join(bad[:10]).decode("utf-8", "replace"))
    died = [l for l in text.split(b"\n")
            if b"server process died" in l or b"giving up" in l]
    T.check("%s: the serving child never died" % srv.name, not died,
            "no 'server process died' line", died[:5])


# --------------------------------------------------------------- client



CTX = client_ctx()


class Conv:
    """
    One connection driven by select(): TLS through an SSLObject on memory
    BIOs (so that we can send, half-close and read as we please), or
    plain TCP.  end says how it ended: close_notify, eof, reset,
    tls-error, error, timeout or connect-error.
    """

    def __init__(self, port, tls, source=None, rcvbuf=None,
                 timeout=IO_TIMEOUT):
        self.t0 = time.monotonic()
        self.tls = tls
        self.data = bytearray()
        self.pending = bytearray()
        self.end = None
        self.t_end = None
        self.send_error = None
        self.handshaken = not tls
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                     rcvbuf)
            if source:
                self.sock.bind((source, 0))
            self.sock.settimeout(timeout)
            self.sock.connect((HOST, port))
            self.sock.setblocking(False)
        except OSError as e:
            self._finish("connect-error %r" % e)
            return
        if tls:
            self.inc = ssl.MemoryBIO()
            self.out = ssl.MemoryBIO()
            self.obj = CTX.wrap_bio(self.inc, self.out,
                                    server_hostname="localhost")

    def _finish(self, how):
        if self.end is None:
            self.end = how
            self.t_end = time.monotonic()

    def elapsed(self):
        return (self.t_end or time.monotonic()) - self.t0

    def _pump(self):
        if not self.tls or self.end is not None:
            return
        try:
            if not self.handshaken:
                self.obj.do_handshake()
                self.handshaken = True
            while True:
                d = self.obj.read(65536)
                if not d:
                    self._finish("close_notify")
                    break
                self.data += d
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLZeroReturnError:
            self._finish("close_notify")
        except ssl.SSLEOFError:
            self._finish("eof")
        except ssl.SSLError as e:
            self._finish("tls-error %s" % e)
        self.pending += self.out.read()

    def _flush(self):
        while self.pending and self.send_error is None:
            try:
                n = self.sock.send(self.pending)
            except BlockingIOError:
                return
            except OSError as e:
                self.send_error = repr(e)
                self.pending.clear()
                return
            del self.pending[:n]

    def step(self, until):
        """One round of select(); returns when something happened."""
        if self.end is not None:
            return
        self._pump()
        self._flush()
        left = until - time.monotonic()
        if self.end is not None or left <= 0:
            return
        r, w, _ = select.select([self.sock],
                                [self.sock] if self.pending else [], [],
                                left)
        if r:
            try:
                d = self.sock.recv(65536)
            except BlockingIOError:
                d = None
            except ConnectionResetError:
                self._finish("reset")
                return
            except OSError as e:
                self._finish("error %r" % e)
                return
            if d is not None:
                if self.tls:
                    if d:
                        self.inc.write(d)
                    else:
                        self.inc.write_eof()
                    self._pump()
                elif d:
                    self.data += d
                else:
                    self._finish("eof")
        if w:
            self._flush()

    def handshake(self, timeout=IO_TIMEOUT):
        until = time.monotonic() + timeout
        while not self.handshaken and self.end is None and \
                time.monotonic() < until:
            self.step(until)
        return self.handshaken and self.end is None

    def send(self, payload):
        if self.end is not None:
            return
        if self.tls:
            self.obj.write(payload)
            self.pending += self.out.read()
        else:
            self.pending += payload
        self._flush()

    def shut_wr(self, timeout=IO_TIMEOUT):
        until = time.monotonic() + timeout
        while self.pending and self.end is None and \
                self.send_error is None and time.monotonic() < until:
            self.step(until)
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            self.send_error = repr(e)

    def read_to_end(self, timeout=IO_TIMEOUT):
        until = time.monotonic() + timeout
        while self.end is None and time.monotonic() < until:
            self.step(until)
        self._finish("timeout")
        return self

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # the reply, parsed
    @property
    def header(self):
        i = self.data.find(b"\r\n")
        return bytes(self.data[:i + 2]) if i >= 0 else None

    @property
    def status(self):
        h = self.header
        m = re.match(rb"^([0-9]{2})[ \r]", h) if h else None
        return m.group(1).decode() if m else None

    @property
    def body(self):
        i = self.data.find(b"\r\n")
        return bytes(self.data[i + 2:]) if i >= 0 else b""

    def __repr__(self):
        return "<%r%s end=%s in %.2fs%s>" % (
            bytes(self.data[:160]), "...(%d bytes)" % len(self.data)
            if len(self.data) > 160 else "", self.end, self.elapsed(),
            " send_error=" + self.send_error if self.send_error else "")


def exchange(port, payload, tls, source=None, shut_wr=False,
             timeout=IO_TIMEOUT):
    """Connect, (handshake,) send payload, maybe half-close, read to end."""
    c = Conv(port, tls, source=source, timeout=timeout)
    if c.end is None and (not tls or c.handshake(timeout)):
        c.send(payload)
        if shut_wr:
            c.shut_wr(timeout)
        c.read_to_end(max(0.1, timeout - c.elapsed()))
    c.close()
    return c


def gem(port, path, source=None, timeout=IO_TIMEOUT, shut_wr=False):
    return exchange(port, b"gemini://localhost" + path.encode() + b"\r\n",
                    True, source, shut_wr, timeout)


def goph(port, sel, source=None, timeout=IO_TIMEOUT, shut_wr=False):
    return exchange(port, sel.encode() + b"\r\n", False, source, shut_wr,
                    timeout)


def hold(port, n, source=HOST):
    """n idle TCP connections (nothing sent)."""
    out = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        if source:
            s.bind((source, 0))
        try:
            s.connect((HOST, port))
        except OSError:
            s.close()
            continue
        out.append(s)
    return out


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def tcp_socket(server_port, client_port):
    """The fields of /proc/net/tcp (or tcp6) for the server's end of a
    loopback connection: [sl, local, remote, state, "tx:rx" queues ...],
    or None."""
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            p = line.split()
            if len(p) < 5:
                continue
            lport = int(p[1].rsplit(":", 1)[1], 16)
            rport = int(p[2].rsplit(":", 1)[1], 16)
            if lport == server_port and rport == client_port:
                return p
    return None


def tcp_state(server_port, client_port):
    """State (hex str) of the server's end of a loopback connection."""
    p = tcp_socket(server_port, client_port)
    return p[3] if p else None


def listen_backlogs(port):
    """The backlog (ss Send-Q) of every socket listening on port."""
    try:
        out = subprocess.run(["ss", "-Hltn", "sport = :%d" % port],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [int(l.split()[2]) for l in out.decode().splitlines()
            if len(l.split()) > 2 and l.split()[2].isdigit()]


# ------------------------------------------------------------------ RSS

class RssSampler(threading.Thread):
    """VmRSS of one process every 50 ms, peak per phase."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "start"
        self.peaks = {}
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            st = proc_status(self.pid)
            if st is None:
                return
            m = re.match(r"(\d+)", st.get("VmRSS", ""))
            if m:
                kb = int(m.group(1))
                if kb > self.peaks.get(self.phase, 0):
                    self.peaks[self.phase] = kb
            self.stop_ev.wait(0.05)

    def stop(self):
        self.stop_ev.set()
        self.join(2)


# -------------------------------------------------------------- fixture

ARTICLE = b"""---
date: 2026-01-02
lang: en
---
Hostile Hello
The first paragraph of the hostile test article.
A second paragraph, served although the capsule's parent is root-only.
"""
NOTE = (b"# Note in a subdirectory\n\n"
        b"Served although the directory above the capsule is root-only.\n")
MID = random.Random(70).randbytes(256 * 1024)
HUGE_SIZE = 32 * 1024 * 1024


def build_fixture():
    """A root-only directory; the capsule (a+rX) and the certs below it."""
    root = tempfile.mkdtemp(prefix="capsuled-hostile-")
    os.chmod(root, 0o700)
    capsule = os.path.join(root, "capsule")
    files = {
        "hello.txt": ARTICLE,
        "sub/note.gmi": NOTE,
        "sub/mid.bin": MID,
        "big/huge.bin": os.urandom(HUGE_SIZE),
    }
    for name, data in files.items():
        path = os.path.join(capsule, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    subprocess.run(["chmod", "-R", "a+rX", capsule], check=True)
    certs = os.path.join(root, "certs")
    os.mkdir(certs, 0o700)
    return root, capsule, certs


def write_conf(root, name, text):
    path = os.path.join(root, name)
    with open(path, "w") as f:
        f.write("listen gemini 127.0.0.1 0\nlisten gopher 127.0.0.1 0\n" +
                text)
    os.chmod(path, 0o644)
    return path


# -------------------------------------------------------------- 1. sandbox

def uid_fields(st, key):
    return st.get(key, "").split()


def test_sandbox(srv, binary, capsule):
    nobody = pwd.getpwnam("nobody")
    # the child says which, once it has sandboxed itself (or could not)
    said = srv.wait_line(lambda l: b"NO SANDBOX" in l or
                         b"seccomp: " in l, START_TIMEOUT)
    nosandbox = said is not None and b"NO SANDBOX" in said
    child = srv.child
    st = proc_status(child) if child else None
    if not T.check("sandbox: /proc/CHILD/status readable", st is not None,
                   "status of the serving child", child):
        return nosandbox
    want_u = [str(nobody.pw_uid)] * 4
    want_g = [str(nobody.pw_gid)] * 4
    T.check("sandbox: child Uid all nobody", uid_fields(st, "Uid") == want_u,
            " ".join(want_u), st.get("Uid"))
    T.check("sandbox: child Gid all nobody's group",
            uid_fields(st, "Gid") == want_g, " ".join(want_g), st.get("Gid"))
    T.check("sandbox: child has no supplementary groups",
            st.get("Groups", "") == "", "''", st.get("Groups"))
    if nosandbox:
        T.note("sanitizer build: stderr says NO SANDBOX; child NoNewPrivs "
               "%s, Seccomp %s" % (st.get("NoNewPrivs"), st.get("Seccomp")))
        T.check("sandbox: NO SANDBOX build: child Seccomp 0",
                st.get("Seccomp") == "0", "0", st.get("Seccomp"))
    else:
        T.check("sandbox: child NoNewPrivs 1", st.get("NoNewPrivs") == "1",
                "1", st.get("NoNewPrivs"))
        T.check("sandbox: child Seccomp 2 (filter)",
                st.get("Seccomp") == "2", "2", st.get("Seccomp"))
    pst = proc_status(srv.proc.pid)
    T.check("sandbox: parent stays uid 0",
            pst is not None and uid_fields(pst, "Uid") == ["0"] * 4,
            "0 0 0 0", pst and pst.get("Uid"))

    try:
        p = subprocess.run([binary, "--sandbox-selftest", capsule,
                            "/etc/passwd"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = None, b"", b"timeout"
    got = (rc, out.decode("utf-8", "replace"),
           err.decode("utf-8", "replace")[-300:])
    if b"NO SANDBOX" in err or b"skipped (sanitizer build)" in out:
        # sanitizer builds cannot be sandboxed: the selftest says so and
        # fails; check only that it does not claim the sandbox held
        T.note("sanitizer build: --sandbox-selftest cannot sandbox; it "
               "printed stdout %r, stderr %r and exited %s" %
               (out.decode("utf-8", "replace"),
                err.decode("utf-8", "replace").strip(), rc))
        T.check("selftest (NO SANDBOX build): does not claim "
                "'sandbox: all refused'", b"sandbox: all refused" not in out
                and rc != 0, "no such line, non-zero exit", got)
        return nosandbox
    T.check("selftest: exit 0", rc == 0, 0, got)
    lines = out.decode("utf-8", "replace").splitlines()
    nolandlock = b"no Landlock" in err
    if nolandlock:
        T.note("selftest: this kernel has no Landlock; the outside file "
               "is not checked")
    else:
        T.check("selftest: outside file refused",
                "open /etc/passwd outside: Permission denied" in lines,
                "open /etc/passwd outside: Permission denied", got)
    T.check("selftest: allowed directory opens",
            "open the allowed directory: allowed" in lines,
            "open the allowed directory: allowed", got)
    for what in ("execve", "fork", "socket", "ptrace"):
        T.check("selftest: %s refused" % what,
                "%s: Operation not permitted" % what in lines,
                "%s: Operation not permitted" % what, got)
    T.check("selftest: a thread starts", "thread: allowed" in lines,
            "thread: allowed", got)
    T.check("selftest: 'sandbox: all refused'",
            "sandbox: all refused" in lines, "sandbox: all refused", got)
    return nosandbox


# ---------------------------------------------------- 2. root-only parent

def test_root_only(gport, pport, root, capsule):
    T.check("root-only: fixture directory is 0700",
            os.stat(root).st_mode & 0o777 == 0o700, "0700",
            oct(os.stat(root).st_mode & 0o777))
    r = gem(gport, "/articles/hostile-hello.gmi")
    T.check("root-only: gemini article", r.status == "20" and
            r.header.startswith(b"20 text/gemini") and
            b"# Hostile Hello" in r.body and
            b"The first paragraph of the hostile test article." in r.body
            and r.end == "close_notify",
            "20 text/gemini, '# Hostile Hello', the paragraph, close_notify",
            r)
    r = gem(gport, "/sub/note.gmi")
    T.check("root-only: gemini file in a subdirectory",
            r.status == "20" and r.body == NOTE and r.end == "close_notify",
            "20 and %r" % NOTE, r)
    r = gem(gport, "/")
    T.check("root-only: home lists the article",
            r.status == "20" and b"Hostile Hello" in r.body,
            "20 with 'Hostile Hello'", r)
    r = goph(pport, "/articles/hostile-hello.txt")
    T.check("root-only: gopher plain text of the article",
            b"Hostile Hello" in r.data and
            b"The first paragraph of the hostile test article." in r.data,
            "the article's text", r)
    r = goph(pport, "/sub/note.gmi")
    T.check("root-only: gopher file in a subdirectory", bytes(r.data) == NOTE,
            repr(NOTE), r)


# ------------------------------------------------- 3. certs in the capsule

def test_certs_inside(binary, root, capsule):
    for label, certs in (("a subdirectory of the capsule",
                          os.path.join(capsule, "certs-inside")),
                         ("the capsule itself", capsule)):
        conf = write_conf(root, "inside.conf",
                          "host localhost\ncapsule %s\ncerts %s\n" %
                          (capsule, certs))
        t0 = time.monotonic()
        p = subprocess.Popen([binary, "-c", conf, "-T", str(DEADLINE)],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            _, err = p.communicate(timeout=15)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            rc = None
        took = time.monotonic() - t0
        got = (rc, "%.1fs" % took, err.decode("utf-8", "replace")[-500:])
        T.check("certs in %s: refuses to start (non-zero exit)" % label,
                rc is not None and rc != 0, "non-zero exit within 15 s", got)
        T.check("certs in %s: message mentions 'inside the capsule'" %
                label, b"inside the capsule" in err,
                "'inside the capsule' on stderr", got)
        bad = [l for l in err.split(b"\n") if SAN_RE.search(l)]
        T.check("certs in %s: no sanitizer report" % label, not bad,
                "none", bad[:5])
        leftovers = [n for n in (os.listdir(certs) if os.path.isdir(certs)
                                 else [])
                     if n.endswith((".key", ".crt"))]
        T.check("certs in %s: no key written into the capsule" % label,
                not leftovers, "no *.key/*.crt", leftovers)
    if os.path.isdir(os.path.join(capsule, "certs-inside")):
        T.note("certs inside the capsule: the refused start still created "
               "the empty directory %s" % os.path.join(capsule,
                                                       "certs-inside"))
        shutil.rmtree(os.path.join(capsule, "certs-inside"),
                      ignore_errors=True)


# ------------------------------------------------------- 7. half-close

def test_half_close(gport, pport):
    full = gem(gport, "/articles/hostile-hello.gmi")
    for path, want in (("/articles/hostile-hello.gmi", full.body),
                       ("/sub/mid.bin", MID)):
        r = gem(gport, path, shut_wr=True)
        T.check("half-close gemini %s: full answer" % path,
                r.status == "20" and r.body == want and
                r.end == "close_notify",
                "20, %d body bytes, close_notify" % len(want), r)
    root = goph(pport, "/")
    for sel, want in (("/sub/mid.bin", MID), ("/sub/note.gmi", NOTE),
                      ("/", bytes(root.data))):
        r = goph(pport, sel, shut_wr=True)
        T.check("half-close gopher %r: full answer" % sel,
                bytes(r.data) == want and len(want) > 0 and r.end == "eof",
                "%d bytes then EOF" % len(want), r)
    # A selector without CRLF, then half-close: the client has said all
    # it will say, so the bytes it sent are the selector (conn.c,
    # gopher_scan at EOF) and it gets the whole file, not a deadline.
    r = exchange(pport, b"/sub/note.gmi", False, shut_wr=True,
                 timeout=DEADLINE + 2)
    T.check("half-close gopher selector without CRLF: served as a "
            "selector", bytes(r.data) == NOTE and r.end == "eof" and
            r.elapsed() < DEADLINE, "%d bytes then EOF before the %d s "
            "deadline" % (len(NOTE), DEADLINE), r)
    # Gemini requires the CRLF: a request line cut by a half-close gets
    # no reply, and the connection is closed at once, not at -T.
    r = exchange(gport, b"gemini://localhost/sub/note.gmi", True,
                 shut_wr=True, timeout=DEADLINE + 2)
    T.check("half-close gemini request without CRLF: no reply, closed "
            "before the deadline", len(r.data) == 0 and r.end != "timeout"
            and r.elapsed() < DEADLINE, "no bytes, closed within %d s" %
            DEADLINE, r)


# ------------------------------------------------------- 6. garbage

def test_garbage(gport, pport):
    rnd = random.Random(1436)
    cases = [
        ("TLS record header + 20000 random bytes", gport,
         b"\x16\x03\x01" + rnd.randbytes(20000)),
        ("ClientHello-like record of 256 random bytes", gport,
         b"\x16\x03\x01\x01\x00\x01" + rnd.randbytes(255)),
        ("plaintext gemini request on the TLS port", gport,
         b"gemini://localhost/\r\n"),
    ]
    for name, port, payload in cases:
        c = Conv(port, False, timeout=DEADLINE + 2)
        c.send(payload)
        c.read_to_end(DEADLINE + 2)
        c.close()
        T.check("garbage %s: closed promptly (< 1 s)" % name,
                c.end in ("eof", "reset") and c.elapsed() < 1.0,
                "EOF or reset within 1 s", c)
        T.note("garbage %s: server sent %r, %s after %.2f s" %
               (name, bytes(c.data[:16]), c.end, c.elapsed()))
        r = gem(gport, "/")
        T.check("garbage %s: still serves" % name, r.status == "20", "20",
                r)

    # 1 MB request lines, on both ports, all at once
    big = b"a" * (1024 * 1024)
    jobs = [("gemini 1 MB, no CRLF", gport, True,
             b"gemini://localhost/" + big),
            ("gemini 1 MB, CRLF at the end", gport, True,
             b"gemini://localhost/" + big + b"\r\n"),
            ("gopher 1 MB, no CRLF", pport, False, b"/" + big),
            ("gopher 1 MB, CRLF at the end", pport, False,
             b"/" + big + b"\r\n")]
    results = {}

    def one(job):
        name, port, tls, payload = job
        results[name] = exchange(port, payload, tls, timeout=DEADLINE + 2)

    threads = [threading.Thread(target=one, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE + 10)
    for name, port, tls, payload in jobs:
        r = results.get(name)
        if r is None:
            T.check("%s: finished" % name, False, "a result", "none")
            continue
        if tls:
            ok = (r.end != "timeout" and (
                (r.status == "59" and r.body == b"") or
                (len(r.data) == 0 and r.end in ("eof", "reset",
                                                "close_notify"))))
            want = "'59 ...' or a close, within %d s" % (DEADLINE + 2)
        else:
            ok = (r.end != "timeout" and (
                (r.data.startswith(b"3") and r.data.count(b"\r\n") <= 2) or
                len(r.data) == 0))
            want = "one type-3 line or a close, within %d s" % (DEADLINE + 2)
        T.check(name, ok and r.elapsed() <= DEADLINE + 2, want, r)
        T.note("%s: got %r (%s after %.2f s)" % (name, bytes(r.data[:120]),
                                                  r.end, r.elapsed()))
    r = gem(gport, "/")
    T.check("after 1 MB lines: still serves", r.status == "20", "20", r)


# --------------------------------------------------- 5. never reads

def test_never_reads(srv, gport, pport):
    """Ask for 32 MiB, never read; the server must drop us at -T."""
    conns = {}
    g = Conv(gport, True, rcvbuf=16384)
    if T.check("never-reads gemini: handshake", g.handshake(), "done", g):
        g.send(b"gemini://localhost/big/huge.bin\r\n")
        conns["gemini"] = (g, gport)
    p = Conv(pport, False, rcvbuf=16384)
    p.send(b"/big/huge.bin\r\n")
    conns["gopher"] = (p, pport)
    t_req = time.monotonic()
    limit = DEADLINE + 5
    dropped = {}
    others = []
    next_other = t_req
    while len(dropped) < len(conns) and time.monotonic() - t_req < limit + 1:
        now = time.monotonic()
        for name, (c, port) in conns.items():
            if name in dropped:
                continue
            st = tcp_state(port, c.sock.getsockname()[1])
            if st != "01":          # not ESTABLISHED: the server closed
                dropped[name] = (now - t_req, st)
        if now >= next_other:       # meanwhile, the others are served
            others.append((gem(gport, "/", timeout=3),
                           goph(pport, "/", timeout=3)))
            next_other = time.monotonic() + 0.5
        time.sleep(0.05)
    for name, (c, port) in conns.items():
        d = dropped.get(name)
        T.check("never-reads %s: dropped at the write deadline" % name,
                d is not None and d[0] <= limit,
                "server end leaves ESTABLISHED within %d s" % limit,
                "state %s after %.1f s" % (d[1], d[0]) if d else
                "still ESTABLISHED after %.1f s" % (time.monotonic() - t_req))
        if d:
            T.note("never-reads %s: server closed its end after %.2f s "
                   "(TCP state %s)" % (name, d[0], d[1]))
    for name, (c, port) in conns.items():
        pat = b'"/big/huge.bin"' if name == "gopher" else b"/big/huge.bin"
        line = srv.wait_line(lambda l: pat in l and
                             (b"gemini://" in l) == (name == "gemini"), 2)
        T.note("never-reads %s: access log: %s" %
               (name, line.decode("utf-8", "replace") if line else None))
        # and the client sees the end: what was queued, then EOF/reset
        c.read_to_end(10)
        c.close()
        T.check("never-reads %s: client then sees EOF/reset, truncated" %
                name, c.end in ("eof", "reset", "close_notify") or
                c.end.startswith("tls-error"),
                "EOF or reset after < 32 MiB", c)
        T.check("never-reads %s: fewer than 32 MiB sent" % name,
                len(c.data) < HUGE_SIZE, "< %d" % HUGE_SIZE, len(c.data))
        T.note("never-reads %s: client received %d bytes, then %s" %
               (name, len(c.data), c.end))
    bad = [(a, b) for a, b in others
           if a.status != "20" or not b.data or a.elapsed() > 2 or
           b.elapsed() > 2]
    T.check("never-reads: others served meanwhile",
            others and not bad, "every gemini / and gopher / answered "
            "within 2 s", bad[:3] or "no probe")


# ---------------------------------------------------------- 4. slowloris

def client_hello():
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = CTX.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def test_slowloris(gport, pport):
    hello = client_hello()
    sel = selectors.DefaultSelector()
    recs = []
    failed_connects = 0
    connect_times = []

    def open_one(port, kind, first):
        nonlocal failed_connects
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            t = time.monotonic()
            s.connect((HOST, port))
            connect_times.append(time.monotonic() - t)
            if first:
                s.send(first[:1])
        except OSError:
            failed_connects += 1
            s.close()
            return
        s.setblocking(False)
        rec = {"sock": s, "kind": kind, "t0": time.monotonic(),
               "end": None, "how": None, "data": b"", "sent": 1 if first
               else 0, "src": first}
        recs.append(rec)
        sel.register(s, selectors.EVENT_READ, rec)

    t_open = time.monotonic()
    for _ in range(500):
        open_one(gport, "idle gemini", None)
    for i in range(50):
        open_one(gport, "trickle gemini", hello)
        open_one(pport, "trickle gopher",
                 b"/" + b"a" * 64)
    t_opened = time.monotonic()
    T.check("slowloris: 600 connections opened", failed_connects == 0 and
            len(recs) == 600, "600", "%d open, %d failed" %
            (len(recs), failed_connects))
    T.note("slowloris: 600 connections opened in %.2f s; slowest connect "
           "%.2f s, %d took over 0.5 s (a SYN dropped and resent); listen "
           "backlogs (ss Send-Q) gemini %s, gopher %s" %
           (t_opened - t_open, max(connect_times or [0]),
            sum(1 for t in connect_times if t > 0.5),
            listen_backlogs(gport), listen_backlogs(pport)))

    # the well-behaved client, from 127.0.0.2, meanwhile
    probes = []

    def prober():
        for _ in range(5):
            a = gem(gport, "/", source=ALT, timeout=3)
            b = goph(pport, "/", source=ALT, timeout=3)
            probes.append((a, b))
            time.sleep(0.4)

    pt = threading.Thread(target=prober)
    pt.start()

    limit = DEADLINE + 3
    until = t_opened + limit + 0.5
    next_tick = time.monotonic() + 1
    open_n = len(recs)
    while open_n and time.monotonic() < until:
        wait = min(next_tick, until) - time.monotonic()
        for key, _ in sel.select(max(0, wait)):
            rec = key.data
            try:
                d = rec["sock"].recv(4096)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                d, how = None, "reset"
            except OSError as e:
                d, how = None, "error %r" % e
            else:
                how = "eof"
            if d:
                rec["data"] += d
                continue
            rec["end"] = time.monotonic() - rec["t0"]
            rec["how"] = how
            sel.unregister(rec["sock"])
            rec["sock"].close()
            open_n -= 1
        if time.monotonic() >= next_tick:
            next_tick += 1
            for rec in recs:
                if rec["end"] is None and rec["src"]:
                    b = rec["src"][rec["sent"]:rec["sent"] + 1] or b"a"
                    try:
                        rec["sock"].send(b)
                        rec["sent"] += 1
                    except OSError:
                        pass    # closed: the read side tells when
    pt.join(20)
    for rec in recs:
        if rec["end"] is None:
            sel.unregister(rec["sock"])
            rec["sock"].close()
    sel.close()

    for kind in ("idle gemini", "trickle gemini", "trickle gopher"):
        rs = [r for r in recs if r["kind"] == kind]
        still = [r for r in rs if r["end"] is None]
        late = [r for r in rs if r["end"] is not None and r["end"] > limit]
        lives = sorted(r["end"] for r in rs if r["end"] is not None)
        T.check("slowloris %s: all closed by the server within T+3 = %d s"
                % (kind, limit), not still and not late,
                "%d closed, none later than %d s" % (len(rs), limit),
                "%d still open after %.1f s, %d late (max %.2f s)" %
                (len(still), time.monotonic() - t_opened, len(late),
                 max(lives) if lives else -1))
        if lives:
            hows = {}
            for r in rs:
                hows[r["how"]] = hows.get(r["how"], 0) + 1
            data = sum(1 for r in rs if r["data"])
            T.note("slowloris %s: %d connections lived min %.2f / median "
                   "%.2f / max %.2f s; ended %s; %d got bytes before the "
                   "close%s" % (kind, len(rs), lives[0],
                                statistics.median(lives), lives[-1], hows,
                                data, " (e.g. %r)" % next(
                                    r["data"][:12] for r in rs if r["data"])
                                if data else ""))
    T.check("slowloris: the 127.0.0.2 client probed 5 times",
            len(probes) == 5, 5, len(probes))
    for i, (a, b) in enumerate(probes):
        T.check("slowloris: 127.0.0.2 gemini answer %d within 1 s" % i,
                a.status == "20" and a.end == "close_notify" and
                a.elapsed() <= 1.0, "20 within 1 s", a)
        T.check("slowloris: 127.0.0.2 gopher answer %d within 1 s" % i,
                b.data and b.end == "eof" and b.elapsed() <= 1.0,
                "a menu within 1 s", b)
    if probes:
        T.note("slowloris: 127.0.0.2 answers took gemini max %.3f s, gopher"
               " max %.3f s" % (max(a.elapsed() for a, _ in probes),
                                max(b.elapsed() for _, b in probes)))


# ------------------------------------------------- 8. connection flood

def test_flood(binary, root, capsule, certs, env):
    try:
        user = pwd.getpwnam("daemon")
    except KeyError:
        user = None
    conf = write_conf(root, "flood.conf", "max-connections 50\n" +
                      ("user daemon\n" if user else ""))
    srv, gport, pport = start_server("flood", binary, conf, capsule, certs,
                                     env=env)
    if srv is None:
        return
    child = srv.child
    st = proc_status(child) if child else None
    if user is None:
        T.note("flood: no user 'daemon'; the configured user is not checked")
    else:
        T.check("flood: child runs as the configured user (daemon)",
                st is not None and uid_fields(st, "Uid") ==
                [str(user.pw_uid)] * 4, [str(user.pw_uid)] * 4,
                st and st.get("Uid"))
    t0 = time.monotonic()
    flood = []
    for i in range(200):
        flood += hold(gport if i % 2 == 0 else pport, 1)
    T.note("flood: %d of 200 connections opened in %.2f s" %
           (len(flood), time.monotonic() - t0))
    T.check("flood: 200 connects succeed (the backlog holds them)",
            len(flood) == 200, 200, len(flood))
    time.sleep(0.5)
    T.check("flood: server alive with 200 open", srv.proc.poll() is None
            and children(srv.proc.pid) == [child], "same child %s" % child,
            (srv.proc.poll(), children(srv.proc.pid)))
    close_all(flood)
    r = gem(gport, "/", timeout=DEADLINE + 2)
    T.check("flood: after closing them, a request is answered",
            r.status == "20" and r.elapsed() <= DEADLINE + 2,
            "20 within %d s" % (DEADLINE + 2), r)
    T.note("flood: first request after the close took %.2f s" % r.elapsed())
    b = goph(pport, "/", timeout=DEADLINE + 2)
    T.check("flood: gopher answered too", b.data and b.end == "eof",
            "a menu", b)
    # not a check: with every slot held by an idle connection, a new
    # client waits in the backlog behind the rest of the flood
    flood = []
    for i in range(200):
        flood += hold(gport if i % 2 == 0 else pport, 1)
    time.sleep(0.2)
    r = gem(gport, "/", timeout=4 * DEADLINE + 3)
    T.note("flood: a request sent behind 200 idle connections (%d opened; "
           "50 slots, -T %d): status %s after %.2f s" %
           (len(flood), DEADLINE, r.status, r.elapsed()))
    close_all(flood)
    r = gem(gport, "/", timeout=DEADLINE + 2)
    T.check("flood: answered after the second flood", r.status == "20",
            "20", r)
    T.check("flood: same serving child", children(srv.proc.pid) == [child],
            [child], children(srv.proc.pid))
    finish_server(srv)


# -------------------------------------------------- 9. per-address limit

def test_per_address(binary, root, capsule, certs, env):
    conf = write_conf(root, "perip.conf", "max-connections-per-address 4\n"
                      "limit-loopback yes\n")
    srv, gport, pport = start_server("per-address", binary, conf, capsule,
                                     certs, env=env)
    if srv is not None:
        idle = hold(gport, 4)
        T.check("per-address: 4 idle gemini connections", len(idle) == 4,
                4, len(idle))
        time.sleep(0.5)     # accepted and counted
        r = gem(gport, "/", timeout=DEADLINE)
        T.check("per-address: 5th gemini from 127.0.0.1 gets 44",
                r.status == "44" and r.header is not None and
                re.match(rb"^44 [^\r\n]*[A-Za-z]{3}[^\r\n]*\r\n$", r.header)
                is not None and r.body == b"",
                "'44 <human message>' CRLF, no body", r)
        T.note("per-address: 5th gemini got %r (%s)" % (r.header, r.end))
        b = goph(pport, "/", timeout=DEADLINE)
        T.check("per-address: 5th gopher from 127.0.0.1 closed without data",
                not b.data and b.end in ("eof", "reset"),
                "no data, EOF/reset", b)
        a = gem(gport, "/", source=ALT, timeout=DEADLINE)
        T.check("per-address: gemini from 127.0.0.2 still works",
                a.status == "20", "20", a)
        a = goph(pport, "/", source=ALT, timeout=DEADLINE)
        T.check("per-address: gopher from 127.0.0.2 still works",
                a.data and a.end == "eof" and
                b"Hostile Hello" in a.data, "the root menu", a)
        close_all(idle)
        time.sleep(0.5)
        r = gem(gport, "/", timeout=DEADLINE)
        T.check("per-address: after the idle ones close, 127.0.0.1 is "
                "served again", r.status == "20", "20", r)
        finish_server(srv)

    conf = write_conf(root, "perip-default.conf",
                      "max-connections-per-address 4\n")
    srv, gport, pport = start_server("loopback-unlimited", binary, conf,
                                     capsule, certs, env=env)
    if srv is None:
        return
    convs = [Conv(gport, True) for _ in range(10)]
    for c in convs:
        c.handshake(5)
    for c in convs:
        c.send(b"gemini://localhost/\r\n")
    for c in convs:
        c.read_to_end(5)
        c.close()
    st = [c.status for c in convs]
    T.check("limit-loopback no: 10 simultaneous gemini from 127.0.0.1 all "
            "answered", st == ["20"] * 10, ["20"] * 10, [repr(c) if
                                                          c.status != "20"
                                                          else "20"
                                                          for c in convs])
    gs = [Conv(pport, False) for _ in range(10)]
    time.sleep(0.2)
    for c in gs:
        c.send(b"/\r\n")
    for c in gs:
        c.read_to_end(5)
        c.close()
    T.check("limit-loopback no: 10 simultaneous gopher from 127.0.0.1 all "
            "answered", all(b"Hostile Hello" in c.data for c in gs),
            "10 root menus", [repr(c) for c in gs
                              if b"Hostile Hello" not in c.data][:3])
    finish_server(srv)


# ----------------------------------------------------------------- main

def watchdog():
    time.sleep(RUN_LIMIT)
    T.check("whole run < %d s" % RUN_LIMIT, False, "finished",
            "still running; killing the servers")
    for s in SERVERS:
        s.kill()
    print("%d passed, %d failed" % (T.passed, T.failed), flush=True)
    os._exit(1)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    more_fds()
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    threading.Thread(target=watchdog, daemon=True).start()
    if os.geteuid() != 0:
        T.note("not root: the privilege checks expect root, as in CI")
    root, capsule, certs = build_fixture()
    rss = None
    try:
        conf = write_conf(root, "main.conf", "")
        srv, gport, pport = start_server("main", binary, conf, capsule,
                                         certs, env=env)
        if srv is not None:
            child = srv.child
            rss = RssSampler(child)
            rss.start()
            test_sandbox(srv, binary, capsule)
            test_root_only(gport, pport, root, capsule)
            rss.phase = "half-close"
            test_half_close(gport, pport)
            rss.phase = "garbage"
            test_garbage(gport, pport)
            rss.phase = "never-reads"
            test_never_reads(srv, gport, pport)
            rss.phase = "slowloris"
            test_slowloris(gport, pport)
            rss.phase = "after"
            r = gem(gport, "/articles/hostile-hello.gmi")
            T.check("main: serves after the hostile phases",
                    r.status == "20", "20", r)
            T.check("main: same serving child throughout",
                    children(srv.proc.pid) == [child], [child],
                    children(srv.proc.pid))
            rss.stop()
            peak = max(rss.peaks.values()) if rss.peaks else 0
            T.note("RSS of the serving child, peak per phase (kB): %s; "
                   "overall peak %d kB (%.1f MB)" %
                   (", ".join("%s %d" % kv for kv in rss.peaks.items()),
                    peak, peak / 1024))
            T.check("RSS of the serving child < 200 MB",
                    0 < peak < RSS_LIMIT_KB, "< %d kB" % RSS_LIMIT_KB,
                    "%d kB" % peak)
            finish_server(srv)
        test_certs_inside(binary, root, capsule)
        test_flood(binary, root, capsule, certs, env)
        test_per_address(binary, root, capsule, certs, env)
    except Exception:
        T.check("the test itself runs without an exception", False,
                "no exception", traceback.format_exc())
    finally:
        if rss is not None:
            rss.stop()
        for s in SERVERS:
            s.kill()
        shutil.rmtree(root, ignore_errors=True)
    elapsed = time.monotonic() - T0
    T.note("whole run %.1f s" % elapsed)
    print("%d passed, %d failed" % (T.passed, T.failed), flush=True)
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
