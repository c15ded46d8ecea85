"""harness.py: the reusable parts of the Python integration tests.

One of each, for every test in tests/:
  - T, the tally (check, note, finish, a watchdog); a failed check of two
    texts (page bodies, menus) prints a unified diff of them;
  - Server, the binary under test with its stderr read line by line from
    the start (listening ports of every protocol, waits for a line,
    SIGTERM with a deadline), and a sanitizer scan of that stderr
    (stop_checked: SIGTERM, exit 0 and no report);
  - Reply, what a client got: the bytes, the Gemini or Spartan header
    parsed, how the connection ended, and the timing;
  - the clients: fetch/gem (Gemini with Python's ssl module, no
    certificate check), gopher_req/gopher (Gopher over raw TCP) and
    Gopher menus read back (menu, items), spartan_req/spartan (Spartan
    over raw TCP), nex (the same for Nex) and lynx (a dump, in a home of
    its own);
  - bounded polling, temporary directories and a raised descriptor limit;
  - run_suite and run_main, a test's main() and entry point: watchdog,
    clean-up, time budget, tally.

A test's own needs are parameters (a TLS context or client certificate,
the source address, an IPv6 host, a half-close, timeouts), not copies.
Only 127.0.0.1 and ::1 are used; every socket has a timeout; every wait
is bounded by a deadline.  Import it from a test in tests/:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import T, Server, gem, gopher, ...
"""

import difflib
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import sys
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
        self.skipped = 0
        self.lock = threading.Lock()

    def check(self, name, ok, want="", got=""):
        """Count one check; a failure prints name, want and got, and a
        unified diff when want and got are both texts of several lines."""
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                d = text_diff(want, got)
                if d is not None:
                    print("FAIL %s: want and got differ:\n%s" % (name, d),
                          end="", flush=True)
                else:
                    print("FAIL %s: want %s; got %s" % (name, short(want),
                          short(got)), flush=True)
        return bool(ok)

    def note(self, msg):
        print("note: %s" % msg, flush=True)

    def skip(self, name, reason):
        """A check that could not run, and why (tests/run.sh shows it)."""
        with self.lock:
            self.skipped += 1
        print("skipped %s: %s" % (name, reason), flush=True)


def short(v, n=400):
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


DIFF_MAX = 120      # lines of a diff printed


def _lines(v):
    """A text's lines for a diff: bytes decoded, CR and other control
    characters shown (\\r, \\t, \\x1b), each line ending in LF."""
    if isinstance(v, (bytes, bytearray)):
        v = bytes(v).decode("utf-8", "backslashreplace")
    out = []
    for line in v.split("\n"):
        line = "".join(c if c >= " " and c != "\x7f" else repr(c)[1:-1]
                       for c in line)
        out.append(short(line, 300) + "\n")
    return out


def text_diff(want, got):
    """diff -u of want and got when both are texts (str or bytes, UTF-8)
    of several lines, or one of them is empty; else None."""
    texts = (str, bytes, bytearray)
    if not (isinstance(want, texts) and isinstance(got, texts)):
        return None
    try:                # binary data: no diff, the short reprs
        for v in (want, got):
            if not isinstance(v, str):
                bytes(v).decode("utf-8")
    except UnicodeDecodeError:
        return None
    def lines(v):
        return ("\n" if isinstance(v, str) else b"\n") in v
    # pages on both sides (or none on one): not a description of a want
    if not (lines(want) or lines(got)) or \
            not (lines(want) or not want) or not (lines(got) or not got):
        return None
    d = list(difflib.unified_diff(_lines(want), _lines(got), "want", "got"))
    if len(d) > DIFF_MAX:
        d = d[:DIFF_MAX] + ["...(%d more diff lines)\n" % (len(d) - DIFF_MAX)]
    return "".join(d)


T = Tally()
SERVERS = []
TMPDIRS = []


def finish():
    """The last line of every run (", N skipped" when some were)."""
    print("%d passed, %d failed%s" % (T.passed, T.failed, ", %d skipped" %
                                      T.skipped if T.skipped else ""),
          flush=True)


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
    """The binary under test, its stderr read line by line from the start.

    argv is the whole command line (the test chooses -g 0 -p 0, -c, -d,
    -C, -T, -s 0, -x 0 ...); name prefixes the test's messages.  start()
    waits for the listening lines: port (Gemini), gport (Gopher) and
    sport (Spartan, with -s) are the first ports printed, ports maps
    "gemini", "gopher", "spartan", "nex" ... to them, v6 says whether a
    Gopher listener on [::] was reported too.
    """

    LISTEN = re.compile(rb"capsuled: listening ([a-z]+) (\S+):(\d+)( proxy)?$")
    # the port flags of the opt-in listeners (capsuled(8))
    FLAGS = {"-s": "spartan", "-x": "nex", "-w": "http"}

    def __init__(self, argv, cwd=None, env=None, name="server"):
        self.argv = argv
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, cwd=cwd,
                                     env=env)
        SERVERS.append(self)
        self.fd = self.proc.stderr.fileno()
        self.raw = bytearray()      # all of stderr
        self.lines = []             # stderr lines, as bytes
        self.partial = b""
        self.eof = False
        self.cond = threading.Condition()
        self.ports = {}
        self.port = None            # Gemini
        self.gport = None           # Gopher
        self.sport = None           # Spartan
        self.hport = None           # HTTP
        self.v6 = False             # a Gopher listener on [::] too
        self.rc = None
        self.stop_seconds = None    # SIGTERM to exit, after stop()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _line(self, line):
        self.lines.append(line)
        m = self.LISTEN.search(line)
        if m:
            proto = m.group(1).decode()
            self.ports.setdefault(proto, int(m.group(3)))
            if proto == "gopher" and m.group(2) == b"[::]":
                self.v6 = True
            self.port = self.ports.get("gemini")
            self.gport = self.ports.get("gopher")
            self.sport = self.ports.get("spartan")
            self.hport = self.ports.get("http")

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            with self.cond:
                if not chunk:
                    self.eof = True
                    if self.partial:
                        self._line(self.partial)
                        self.partial = b""
                else:
                    self.raw += chunk
                    parts = (self.partial + chunk).split(b"\n")
                    self.partial = parts.pop()
                    for line in parts:
                        self._line(line)
                self.cond.notify_all()
            if not chunk:
                return

    def start(self, timeout=START_TIMEOUT, want=None):
        """Wait for the listening lines of the protocols in want (default:
        Gemini, Gopher and those whose port flag argv gives); True when
        seen.  (A listener on 0.0.0.0 is reported before the one on ::.)"""
        if want is None:
            want = {"gemini", "gopher"} | {p for f, p in self.FLAGS.items()
                                           if f in self.argv}
        with self.cond:
            self.cond.wait_for(lambda: set(want) <= set(self.ports) or
                               self.eof, timeout)
            return set(want) <= set(self.ports)

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

    def lines_since(self, since=0):
        with self.cond:
            return list(self.lines[since:])

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; the exit status, or None when it did not exit (then
        it is killed).  stop_seconds: how long it took."""
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        rc = self.wait(timeout)
        self.stop_seconds = time.monotonic() - t0
        return rc

    def wait(self, timeout):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.thread.join(5)
        self.rc = rc
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def text(self):
        with self.cond:
            return bytes(self.raw)


def sanitizer_check(name, text):
    bad = [l for l in text.split(b"\n") if re.search(
        rb"Sanitizer|runtime error:|LeakSanitizer", l)]
    T.check("%s: no sanitizer report" % name, not bad, "none",
            b"\n".join(bad[:10]).decode("utf-8", "replace"))


def stop_checked(s, name="server"):
    """SIGTERM s; check that it exited 0 and that its stderr holds no
    sanitizer report."""
    rc = s.stop()
    T.check("%s: SIGTERM exit 0" % name, rc == 0, 0,
            "%s; stderr tail %r" % (rc, s.text()[-600:]))
    sanitizer_check(name, s.text())


# --------------------------------------------------------------- gemini

def client_ctx(minv=None, maxv=None, cert=None):
    """A TLS client context without certificate checks (capsuled's
    certificates are self-signed: TOFU, not a CA); minv/maxv bound the
    TLS version, cert is a (certfile, keyfile) client certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if minv is not None:
        ctx.minimum_version = minv
    if maxv is not None:
        ctx.maximum_version = maxv
    if cert is not None:
        ctx.load_cert_chain(*cert)
    return ctx


class Reply:
    """What a client got on one connection, Gemini, Gopher or Spartan."""

    def __init__(self):
        self.raw = b""          # every byte received
        self.header = None      # Gemini, Spartan: up to the first CRLF
        self.body = b""         # Gemini, Spartan: after it
        self.status = None      # Gemini: "NN", Spartan: "N", as str
        self.meta = None        # Gemini, Spartan: str or None
        self.clean = False      # TLS: ended with close_notify
        self.eof = False        # the server closed (FIN, RST or TLS end)
        self.reset = False      # ... with a RST
        self.error = None       # connect/handshake/read error, as text
        self.send_error = None  # the request could not all be sent
        self.version = None     # TLS version
        self.cert = None        # the server's certificate (DER)
        self.elapsed = 0.0      # connect to close (or to the timeout)
        self.t_end = 0.0        # time.monotonic() at the end
        self.reused = False     # TLS: the session offered was resumed
        self.session = None     # TLS: the session to offer next

    @property
    def data(self):
        return self.raw

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        if self.error and not self.raw:
            return "<error %s>" % self.error
        return "<%r%s%s>" % (self.raw[:300], "...(%d bytes)" % len(self.raw)
                             if len(self.raw) > 300 else "",
                             " error " + self.error if self.error else "")


def parse_reply(r, raw, status=rb"[0-9]{2}"):
    """Fill r from the bytes of a Gemini reply (a Spartan one with status
    rb"[2-5]")."""
    r.raw = bytes(raw)
    i = r.raw.find(b"\r\n")
    if i >= 0:
        r.header = r.raw[:i + 2]
        r.body = r.raw[i + 2:]
        m = re.match(rb"^(" + status + rb")(?: (.*))?\r\n$", r.header,
                     re.S)
        if m:
            r.status = m.group(1).decode()
            if m.group(2) is not None:
                r.meta = m.group(2).decode("utf-8", "replace")


def fetch(port, req, sni="localhost", ctx=None, addr=HOST, source=None,
          timeout=IO_TIMEOUT, session=None):
    """One TLS connection from source (an address, port) to addr: send req
    (bytes), read until the server closes.  session: a TLS session to
    resume (r.reused says whether it was; r.session is the one to resume
    next)."""
    r = Reply()
    raw = bytearray()
    t0 = time.monotonic()
    sock = None
    try:
        sock = socket.create_connection((addr, port), timeout=timeout,
                                        source_address=source)
        s = (ctx or client_ctx()).wrap_socket(sock, server_hostname=sni,
                                              suppress_ragged_eofs=False,
                                              session=session)
        sock = s
        r.version = s.version()
        r.cert = s.getpeercert(binary_form=True)
        if req:
            try:
                s.sendall(req)
            except OSError as e:
                r.send_error = repr(e)
        while True:
            d = s.recv(65536)
            if not d:
                r.clean = r.eof = True
                break
            raw += d
        r.reused = s.session_reused
        r.session = s.session
    except ssl.SSLEOFError:
        r.error = "EOF without close_notify"
        r.eof = True
    except ConnectionResetError as e:
        r.error = repr(e)
        r.eof = r.reset = True
    except (OSError, ssl.SSLError) as e:
        r.error = repr(e)
    finally:
        r.t_end = time.monotonic()
        r.elapsed = r.t_end - t0
        if sock is not None:
            sock.close()
    parse_reply(r, raw)
    return r


SNI_HOST = object()      # gem(): the SNI is the host (None: no SNI)


def gem(port, path, host="localhost", sni=SNI_HOST, **kw):
    """A request for path (str or bytes) on gemini://host; a full URI is
    sent as it is.  The SNI is host unless given (None: none).  kw:
    fetch()'s (ctx, addr, source, timeout)."""
    if isinstance(path, str):
        path = path.encode()
    uri = path if b"://" in path else b"gemini://" + host.encode() + path
    return fetch(port, uri + b"\r\n", sni=host if sni is SNI_HOST else sni,
                 **kw)


# --------------------------------------------------------------- gopher

def gopher_req(data, port, host=HOST, family=socket.AF_INET,
               timeout=IO_TIMEOUT, shut=False, source=None):
    """Plain TCP from source (an address, port), if given: send data (the
    whole request, CRLF included), maybe half-close, read until the
    server closes or timeout passes.  A Reply whose raw is what was read;
    eof/reset say how it ended, error why the connection failed."""
    if isinstance(data, str):
        data = data.encode()
    r = Reply()
    t0 = time.monotonic()
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    got = bytearray()
    try:
        try:
            if source is not None:
                s.bind(source)
            s.connect((host, port))
        except OSError as e:
            r.error = repr(e)
            return r
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError as e:
            r.send_error = repr(e)  # the server may close before it all
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                r.error = "timeout"
                break
            s.settimeout(left)
            try:
                d = s.recv(65536)
            except socket.timeout:
                r.error = "timeout"
                break
            except ConnectionResetError as e:
                r.eof = r.reset = True
                r.error = repr(e)
                break
            except OSError as e:
                r.error = repr(e)
                break
            if not d:
                r.eof = True
                break
            got += d
    finally:
        r.raw = bytes(got)
        r.t_end = time.monotonic()
        r.elapsed = r.t_end - t0
        s.close()
    return r


def gopher(port, line_bytes, timeout=IO_TIMEOUT):
    """Send line_bytes (the whole request, CRLF included) over plain TCP;
    everything until the server closes.  An error is appended as
    <<error>> to what was read."""
    r = gopher_req(line_bytes, port, timeout=timeout)
    if r.error is not None:
        return r.raw + ("<<%s>>" % r.error).encode()
    return r.raw


# ------------------------------------------------------------------ nex

def nex(port, line_bytes, **kw):
    """A Nex request (the path and its line end) over plain TCP, read
    until the server closes: a Reply whose raw is the document (Nex has
    no header), eof/reset how it ended.  kw: gopher_req's."""
    return gopher_req(line_bytes, port, **kw)


def lynx(url, home, timeout=10):
    """lynx -dump of url (UTF-8, 200 columns), with HOME a directory of
    its own; (text, exit status), status -1 when it timed out."""
    env = dict(os.environ, HOME=home, LANG="C.UTF-8", TERM="dumb")
    try:
        p = subprocess.run(["timeout", str(timeout), "lynx", "-dump",
                            "-width=200", "-assume_charset=utf-8",
                            "-display_charset=utf-8", url],
                           capture_output=True, timeout=timeout + 5,
                           env=env, stdin=subprocess.DEVNULL)
        return p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired:
        return "", -1


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


def items(data):
    """Menu lines of all four fields as (type, display, selector, host,
    port), before '.'."""
    out = []
    for line in data.decode("utf-8", "replace").split("\r\n"):
        if line == ".":
            break
        f = line.split("\t")
        if len(f) == 4 and f[0]:
            out.append((f[0][0], f[0][1:], f[1], f[2], f[3]))
    return out


def is_menu_ok(data):
    """A real menu: ends with .CRLF, no type-3 line."""
    return data.endswith(b".\r\n") and not any(
        t == "3" for t, _, _ in menu(data))


# -------------------------------------------------------------- spartan

def spartan_req(data, port, **kw):
    """Plain TCP: send data (the whole request, line and data), read
    until the server closes (gopher_req's kw: host, timeout, shut); the
    Reply with the Spartan header parsed."""
    r = gopher_req(data, port, **kw)
    parse_reply(r, r.raw, rb"[2-5]")
    return r


def spartan(port, path, data=b"", host="localhost", **kw):
    """The request "host path len(data)" CRLF data (str or bytes each)."""
    def b(v):
        return v.encode() if isinstance(v, str) else v
    return spartan_req(b"%s %s %d\r\n" % (b(host), b(path), len(b(data))) +
                       b(data), port, **kw)


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


def run_suite(body, watchdog, budget):
    """A test's main(): body(binary), binary being argv[1] (default
    ./capsuled), under a watchdog of watchdog seconds; the servers
    killed and the temporary dirs removed however body ends; a check
    that the run took less than budget seconds; the tally last.  The
    exit status."""
    t0 = time.monotonic()
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    timer = start_watchdog(watchdog)
    try:
        body(binary)
    finally:
        cleanup()
    timer.cancel()
    elapsed = time.monotonic() - t0
    T.check("whole run < %d s" % budget, elapsed < budget,
            "< %d s" % budget, "%.1f s" % elapsed)
    finish()
    return 1 if T.failed else 0


def run_main(main):
    """A test's entry point: main(), an exception in it counted as a
    failed check (its traceback printed), the tally line last; exits 1
    when a check failed."""
    try:
        main()
    except Exception as e:          # a crash of the test is a failure too
        import traceback
        traceback.print_exc()
        T.check("test ran to the end", False, "no exception", repr(e))
    finish()
    sys.exit(1 if T.failed else 0)
def more_fds(want=4096):
    """Raise this process's descriptor limit towards want (within the
    hard limit): for tests that hold hundreds of connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


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
