#!/usr/bin/env python3
"""access_test.py [BIN]: replies to slow readers and the access log.

Starts the real binary (default ./capsuled) with -T 1 on ephemeral ports
and checks, with Python's ssl module and raw sockets as clients:

- a reader that is slow but steady gets a file whole over Gemini and
  Gopher, although the transfer takes several times -T (the server's
  send buffer, megabytes on loopback, fills at once; the kernel wakes a
  blocked writer only once a third of it is free, later than -T);
- a reader that stops reading gets no clean end (no close_notify over
  TLS, a reset over Gopher), and the access line says timeout, with the
  bytes sent and the size the reply should have had;
- the access line has the documented fields (capsuled(8), ACCESS LOG):
  '"' and '\\' escaped in the quoted request, the protocol named, the
  Gopher outcome ok or error, "-" for the address with log-addresses no;
- log lines with a count of one say "1 article", "1 worker".

Prints one line per failed check and last `N passed, N failed`.
"""

import concurrent.futures
import os
import re
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (T, Server, cleanup, client_ctx, finish,  # noqa: E402
                     gem, gopher, public_tmpdir, sanitizer_check,
                     start_watchdog, write)

HOST = "127.0.0.1"
DEADLINE = 1                # the server's -T
STEADY_SIZE = 4500000       # more than loopback's socket buffers hold
STEADY_RATE = 800000        # bytes a second: slower than the buffers
#                             drain a third of themselves within -T
STALL_SIZE = 12000000       # far more than the buffers hold
STALL_WAIT = 3.5            # the reader stops for this long

# capsuled(8), ACCESS LOG: time address protocol host "request" outcome
# sent size duration end
ACCESS = re.compile(rb'^capsuled: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\S+) '
                    rb'(gemini|gopher) (\S+) "((?:[^"\\]|\\.)*)" (\S+) '
                    rb'(\d+) (\d+) (\d+\.\d)ms '
                    rb'(complete|timeout|reset|stopped)$')


def access(line):
    """The fields of an access line, or None if it is not one."""
    m = ACCESS.match(line) if line is not None else None
    if m is None:
        return None
    return {"addr": m.group(2), "proto": m.group(3), "host": m.group(4),
            "req": m.group(5), "outcome": m.group(6),
            "sent": int(m.group(7)), "size": int(m.group(8)),
            "end": m.group(10)}


def wait_access(srv, req, proto, timeout=8):
    """The access line of the request logged as req (escaped form)."""
    q = b'"' + req + b'"'
    return srv.wait_line(lambda l: q in l and
                         b" %s " % proto.encode() in l, timeout)


def connect(port):
    s = socket.socket()
    # a small receive buffer, as the operator's client had
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.settimeout(10)
    s.connect((HOST, port))
    return s


def send_request(s, proto, path):
    """The request for path on socket s (wrapped in TLS for Gemini, so
    a cut reply shows as an EOF without close_notify); the socket."""
    if proto == "gemini":
        s = client_ctx().wrap_socket(s, server_hostname="localhost",
                                     suppress_ragged_eofs=False)
        s.sendall(b"gemini://localhost%s\r\n" % path)
    else:
        s.sendall(path + b"\r\n")
    return s


def read_steady(port, proto, path):
    """Read path at STEADY_RATE; (bytes, how it ended, seconds, the
    first bytes)."""
    s = connect(port)
    end = "clean"
    n = 0
    head = b""
    t0 = time.monotonic()
    try:
        s = send_request(s, proto, path)
        while True:
            d = s.recv(16384)
            if not d:
                break
            n += len(d)
            if len(head) < 1024:
                head += d[:1024 - len(head)]
            ahead = n / STEADY_RATE - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    except ssl.SSLEOFError:
        end = "EOF without close_notify"
    except OSError as e:
        end = repr(e)
    finally:
        s.close()
    return n, end, time.monotonic() - t0, head


def read_stalled(port, proto, path):
    """Send the request, read nothing for STALL_WAIT, then read to the
    end; (bytes, how it ended)."""
    s = connect(port)
    end = "clean"
    n = 0
    try:
        s = send_request(s, proto, path)
        time.sleep(STALL_WAIT)
        while True:
            d = s.recv(65536)
            if not d:
                break
            n += len(d)
    except ssl.SSLEOFError:
        end = "EOF without close_notify"
    except OSError as e:
        end = repr(e)
    finally:
        s.close()
    return n, end


def test_readers(srv):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futs = {(kind, proto): pool.submit(fn, port, proto, path)
                for kind, fn, path in (
                    ("steady", read_steady, b"/steady.bin"),
                    ("stall", read_stalled, b"/stall.bin"))
                for proto, port in (("gemini", srv.port),
                                    ("gopher", srv.gport))}
        res = {k: f.result() for k, f in futs.items()}
    for proto in ("gemini", "gopher"):
        n, end, secs, head = res[("steady", proto)]
        # the Gemini header's media type is libmagic's guess at random
        # bytes: application/octet-stream, or now and then another
        header = 0
        if proto == "gemini":
            i = head.find(b"\r\n")
            header = i + 2 if i >= 0 else None
        got = n - header if header is not None else -1
        T.check("steady %s: the whole file, a clean end" % proto,
                got == STEADY_SIZE and end == "clean",
                "%d bytes, clean" % STEADY_SIZE, "%d bytes, %s" % (got, end))
        T.check("steady %s: the transfer took several times -T" % proto,
                secs >= 3 * DEADLINE, ">= %d s" % (3 * DEADLINE),
                "%.1f s" % secs)
        a = access(wait_access(srv, b"/steady.bin" if proto == "gopher"
                               else b"gemini://localhost/steady.bin", proto))
        T.check("steady %s: logged complete, sent = size" % proto,
                a is not None and a["end"] == b"complete" and
                a["sent"] == a["size"] == STEADY_SIZE,
                "complete %d %d" % (STEADY_SIZE, STEADY_SIZE), a)

        n, end = res[("stall", proto)]
        T.check("stall %s: no clean end (no close_notify, or a reset)" %
                proto, end != "clean" and n < STALL_SIZE,
                "an error before %d bytes" % STALL_SIZE,
                "%d bytes, %s" % (n, end))
        a = access(wait_access(srv, b"/stall.bin" if proto == "gopher"
                               else b"gemini://localhost/stall.bin", proto))
        T.check("stall %s: logged timeout, bytes sent and the full size" %
                proto, a is not None and a["end"] == b"timeout" and
                0 < a["sent"] < a["size"] and a["size"] == STALL_SIZE,
                "timeout SENT %d, SENT < size" % STALL_SIZE, a)


def test_fields(srv):
    # '"' and '\' in a request: the quoted field stays one field
    r = gem(srv.port, '/a"b\\c')
    T.check("gemini quote: answered 59", r.status == "59", "59", r)
    a = access(wait_access(srv, rb'gemini://localhost/a\"b\\c', "gemini"))
    T.check("gemini quote: request escaped, line parses",
            a is not None and a["proto"] == b"gemini" and
            a["outcome"] == b"59" and a["addr"] == b"127.0.0.1" and
            a["host"] == b"-", 'gemini - "gemini://localhost/a\\"b\\\\c" 59',
            a)
    gopher(srv.gport, b'/q"x\\y\r\n')
    a = access(wait_access(srv, rb'/q\"x\\y', "gopher"))
    T.check("gopher quote: request escaped, outcome error",
            a is not None and a["proto"] == b"gopher" and
            a["outcome"] == b"error" and a["host"] == b"-",
            'gopher "/q\\"x\\\\y" error', a)
    # a long request of quotes, four times longer escaped: still a line
    gopher(srv.gport, b"/long" + b'"' * 1000 + b"\r\n")
    line = srv.wait_line(lambda l: b'"/long\\"' in l, 5)
    a = access(line)
    T.check("long request: cut, the line still parses",
            a is not None and a["req"].endswith(b"...") and
            len(line) < 2048, 'a line ending "...(quote) error ..."',
            line)
    # the Gopher outcome: ok for what exists
    d = gopher(srv.gport, b"\r\n")
    T.check("gopher root: a menu", d.endswith(b".\r\n"), "a menu", d[-80:])
    a = access(wait_access(srv, b"", "gopher"))
    T.check("gopher root: outcome ok, complete, sent = size",
            a is not None and a["outcome"] == b"ok" and
            a["end"] == b"complete" and a["sent"] == a["size"] == len(d),
            "ok %d %d complete" % (len(d), len(d)), a)
    r = gem(srv.port, "/")
    a = access(wait_access(srv, b"gemini://localhost/", "gemini"))
    T.check("gemini home: status 20, host, protocol",
            a is not None and a["outcome"] == b"20" and
            a["host"] == b"localhost" and a["sent"] == len(r.body),
            "20 localhost %d" % len(r.body), a)


def test_plural(srv):
    line = srv.wait_line(lambda l: b"text index of" in l, 5)
    T.check("plural: 'text index of 1 article'",
            line is not None and b"text index of 1 article built" in line,
            "text index of 1 article built", line)
    text = srv.text()
    T.check("plural: 'with 1 worker'", re.search(rb"with 1 worker\n", text)
            is not None, "... with 1 worker", text[-800:])
    T.check("plural: no '1 articles', '1 workers'",
            re.search(rb"\b1 (articles|workers)\b", text) is None, "none",
            re.findall(rb".*\b1 (?:articles|workers)\b.*", text))


def start(binary, conf_text, capsule, certs, tmp, name):
    conf = os.path.join(tmp, name + ".conf")
    write(conf, conf_text + "host localhost\ncapsule %s\ncerts %s\n" %
          (capsule, certs))
    srv = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-T",
                  str(DEADLINE)])
    if not T.check("%s: listening lines" % name, srv.start(),
                   "gemini and gopher ports", srv.text()[-600:]):
        return None
    return srv


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    start_watchdog(90)
    tmp = public_tmpdir("capsuled-access-")
    capsule = os.path.join(tmp, "capsule")
    certs = os.path.join(tmp, "certs")
    os.mkdir(capsule, 0o755)
    os.mkdir(certs, 0o755)
    write(os.path.join(capsule, "one.txt"),
          "The Only Article\nIt is alone in this capsule.\n")
    for name, size in (("steady.bin", STEADY_SIZE),
                       ("stall.bin", STALL_SIZE)):
        with open(os.path.join(capsule, name), "wb") as f:
            f.write(os.urandom(size))
        os.chmod(os.path.join(capsule, name), 0o644)
    servers = []
    try:
        srv = start(binary, "workers 1\n", capsule, certs, tmp, "default")
        if srv is not None:
            servers.append(srv)
            test_plural(srv)
            test_fields(srv)
            test_readers(srv)
        srv = start(binary, "log-addresses no\n", capsule, certs, tmp,
                    "anonymous")
        if srv is not None:
            servers.append(srv)
            gem(srv.port, "/")
            gopher(srv.gport, b"/\r\n")
            ga = access(wait_access(srv, b"gemini://localhost/", "gemini"))
            pa = access(wait_access(srv, b"/", "gopher"))
            T.check("log-addresses no: '-' for the address",
                    ga is not None and pa is not None and
                    ga["addr"] == b"-" and pa["addr"] == b"-",
                    "- in both lines", (ga, pa))
            T.check("log-addresses no: no client address anywhere",
                    b"127.0.0.1" not in srv.text(), "no 127.0.0.1",
                    srv.text()[-400:])
    finally:
        for srv in servers:
            rc = srv.stop()
            T.check("SIGTERM: exit 0", rc == 0, 0, rc)
            sanitizer_check("server", srv.text())
            T.check("stderr: no raw control character",
                    re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", srv.text())
                    is None, "none", srv.text()[-300:])
        cleanup()
    finish()
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
