"""harness.py: the reusable parts of the Python integration tests.

A tally of checks (T), the binary under test with its stderr read line
by line (Server), a sanitizer scan of that stderr, a Gemini client
(fetch, gem: Python's ssl module, no certificate check) and a raw-socket
Gopher client (gopher), plus bounded polling and temporary directories.

Only 127.0.0.1 is used; every socket has a timeout; every wait is
bounded by a deadline.  Import it from a test in tests/:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import T, Server, gem, gopher, ...
"""

import os
import re
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

HOST = "127.0.0.1"
IO_TIMEOUT = 10         # every socket
START_TIMEOUT = 10      # until the "listening" lines on stderr
STOP_TIMEOUT = 10       # SIGTERM to exit
POLL = 5.0              # default deadline of poll()
POLL_SLEEP = 0.02       # between two polls
GEMTEXT = "text/gemini; charset=utf-8"


# ---------------------------------------------------------------- tally

class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.lock = threading.Lock()

    def check(self, name, ok, want="", got=""):
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                print("FAIL %s: want %s; got %s" % (name, short(want),
                      short(got)), flush=True)
        return bool(ok)

    def note(self, msg):
        print("note: %s" % msg, flush=True)


def short(v, n=400):
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


T = Tally()
SERVERS = []
TMPDIRS = []


def finish():
    """The last line of every run."""
    print("%d passed, %d failed" % (T.passed, T.failed), flush=True)


def start_watchdog(seconds):
    """Kill the servers, count a failure and exit 1 after seconds."""
    def fire():
        with T.lock:
            T.failed += 1
        print("FAIL watchdog: want the run to finish within %d s; got a "
              "hang" % seconds, flush=True)
        kill_all()
        finish()
        os._exit(1)
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def kill_all():
    for s in SERVERS:
        if s.proc.poll() is None:
            s.proc.kill()
            try:
                s.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass


def cleanup():
    """Kill the servers still running, remove the temporary dirs."""
    kill_all()
    for d in TMPDIRS:
        shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------- server

class Server:
    """The binary under test, its stderr read line by line."""

    LISTEN = re.compile(rb"capsuled: listening (gemini|gopher) "
                        rb"0\.0\.0\.0:(\d+)")

    def __init__(self, argv, cwd=None, env=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, cwd=cwd,
                                     env=env)
        SERVERS.append(self)
        self.fd = self.proc.stderr.fileno()
        self.raw = bytearray()
        self.lines = []
        self.partial = b""
        self.eof = False
        self.cond = threading.Condition()
        self.port = None            # Gemini
        self.gport = None           # Gopher
        self.thread = None

    def _feed(self, chunk):
        with self.cond:
            if not chunk:
                self.eof = True
                if self.partial:
                    self.lines.append(self.partial)
                    self.partial = b""
            else:
                self.raw += chunk
                parts = (self.partial + chunk).split(b"\n")
                self.partial = parts.pop()
                self.lines.extend(parts)
            self.cond.notify_all()

    def start(self):
        """Read stderr until both listening lines; True when seen."""
        sel = selectors.DefaultSelector()
        sel.register(self.fd, selectors.EVENT_READ)
        end = time.monotonic() + START_TIMEOUT
        try:
            while (self.port is None or self.gport is None) and \
                    not self.eof:
                left = end - time.monotonic()
                if left <= 0:
                    break
                if not sel.select(left):
                    continue
                self._feed(os.read(self.fd, 65536))
                for line in self.lines:
                    m = self.LISTEN.search(line)
                    if m and m.group(1) == b"gemini":
                        self.port = int(m.group(2))
                    elif m:
                        self.gport = int(m.group(2))
        finally:
            sel.close()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()
        return self.port is not None and self.gport is not None

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            self._feed(chunk)
            if not chunk:
                return

    def nlines(self):
        with self.cond:
            return len(self.lines)

    def wait_line(self, pred, timeout=POLL, since=0):
        """The first stderr line from index `since` satisfying pred."""
        def find():
            for line in self.lines[since:]:
                if pred(line):
                    return line
            return None
        with self.cond:
            self.cond.wait_for(lambda: find() is not None or self.eof,
                               timeout)
            return find()

    def lines_since(self, since):
        with self.cond:
            return list(self.lines[since:])

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; the exit status, or None when it did not exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        if self.thread is not None:
            self.thread.join(5)
        return rc

    def text(self):
        with self.cond:
            return bytes(self.raw)


def sanitizer_check(name, text):
    bad = [l for l in text.split(b"\n") if re.search(
        rb"Sanitizer|runtime error:|LeakSanitizer", l)]
    T.check("%s: no sanitizer report" % name, not bad, "none",
            b"\n".join(bad[:10]).decode("utf-8", "replace"))


# --------------------------------------------------------------- gemini

def client_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE     # self-signed: TOFU, not a CA
    return ctx


class Reply:
    def __init__(self):
        self.raw = b""
        self.header = None
        self.body = b""
        self.status = None
        self.meta = None
        self.clean = False
        self.error = None
        self.cert = None
        self.t_end = 0.0

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        if self.error and not self.raw:
            return "<error %s>" % self.error
        return "<%r%s>" % (self.raw[:300], " error " + self.error
                           if self.error else "")


def parse_reply(r, raw):
    r.raw = bytes(raw)
    i = r.raw.find(b"\r\n")
    if i >= 0:
        r.header = r.raw[:i + 2]
        r.body = r.raw[i + 2:]
        m = re.match(rb"^([0-9]{2})(?: (.*))?\r\n$", r.header, re.S)
        if m:
            r.status = m.group(1).decode()
            if m.group(2) is not None:
                r.meta = m.group(2).decode("utf-8", "replace")


def fetch(port, req, sni="localhost", timeout=IO_TIMEOUT):
    """One TLS connection: send req (bytes), read until the server closes."""
    r = Reply()
    raw = bytearray()
    sock = None
    try:
        sock = socket.create_connection((HOST, port), timeout=timeout)
        s = client_ctx().wrap_socket(sock, server_hostname=sni,
                                     suppress_ragged_eofs=False)
        sock = s
        r.cert = s.getpeercert(binary_form=True)
        if req:
            s.sendall(req)
        while True:
            d = s.recv(65536)
            if not d:
                r.clean = True
                break
            raw += d
    except ssl.SSLEOFError:
        r.error = "EOF without close_notify"
    except (OSError, ssl.SSLError) as e:
        r.error = repr(e)
    finally:
        if sock is not None:
            sock.close()
    r.t_end = time.monotonic()
    parse_reply(r, raw)
    return r


def gem(port, path, host="localhost", sni=None):
    """A request for path on gemini://host (SNI: host unless given)."""
    uri = path if "://" in path else "gemini://%s%s" % (host, path)
    return fetch(port, uri.encode() + b"\r\n",
                 sni=host if sni is None else sni)


# --------------------------------------------------------------- gopher

def gopher(port, line_bytes, timeout=IO_TIMEOUT):
    """Send line_bytes (the whole request, CRLF included) over plain TCP;
    everything until the server closes.  An error is appended as
    <<error>> to what was read."""
    if isinstance(line_bytes, str):
        line_bytes = line_bytes.encode()
    got = bytearray()
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(line_bytes)
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
    except OSError as e:
        return bytes(got) + ("<<%r>>" % e).encode()
    return bytes(got)


def menu(data):
    """Menu lines as (type, display, selector), before '.'."""
    out = []
    for line in data.decode("utf-8", "replace").split("\r\n"):
        if line == ".":
            break
        f = line.split("\t")
        if len(f) >= 2 and f[0]:
            out.append((f[0][0], f[0][1:], f[1]))
    return out


def is_menu_ok(data):
    """A real menu: ends with .CRLF, no type-3 line."""
    return data.endswith(b".\r\n") and not any(
        t == "3" for t, _, _ in menu(data))


# -------------------------------------------------------------- helpers

def poll(fn, timeout=POLL):
    """Call fn() until it returns (True, v) or timeout; (ok, v, seconds)."""
    t0 = time.monotonic()
    end = t0 + timeout
    while True:
        ok, v = fn()
        if ok or time.monotonic() >= end:
            return ok, v, time.monotonic() - t0
        time.sleep(POLL_SLEEP)


def public_tmpdir(prefix):
    """A temporary directory others may read (removed by cleanup())."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    TMPDIRS.append(d)
    return d


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o644)
