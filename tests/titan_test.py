#!/usr/bin/env python3
"""titan_test.py [BIN]: Titan uploads (capsuled.conf(5): titan, author,
titan-token, titan-max-size, titan-history) with real parts: client
certificates made by `openssl req`, Python's ssl module as the client,
the real binary on ephemeral ports of 127.0.0.1.

  1. an author creates an article: 30 to its page, which Gemini,
     Gopher, Spartan, Nex and the HTML mirror serve at once (the home
     page, the feed and another article's related link too); the
     editing route gives its source; an edit; a delete; the history
     holds both previous versions byte for byte;
  2. no certificate (60), a stranger's (61): nothing changes on disk;
  3. every bad input of issue 18: 59 or 53, nothing written; a body cut
     short or stalled: no answer, nothing written; more bytes than
     announced: exactly the announced ones written;
  4. 20 concurrent uploads all land exactly; 50 parallel uploads to one
     path from one certificate: each 30 or 44, the file one of them whole;
  5. titan-token: missing or wrong 61, right 30;
  6. a full disk (a 256 KiB tmpfs in a private mount namespace, as
     root with unshare): 40, the temporary file gone, the old article
     intact; otherwise a skipped check, with the reason;
  7. --sandbox-selftest: the serving process cannot write, the writer
     cannot open a socket.
No sleep synchronises anything: an upload's 30 means published.
"""

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HOST, T, Server, client_ctx, fetch, gem,  # noqa: E402
                     gopher, nex, public_tmpdir, run_suite,
                     spartan, stop_checked, write)

DEADLINE = 2            # the server's -T: a stalled body waits this long
MAX = 65536             # titan-max-size
HISTORY = 3             # titan-history
ALPHA = ("Alpha Article\n\nThe first article, about ants.\n\n"
         "Beta Bees\nWhat bees do.\nREAD MORE\n")
V1 = "Beta Bees\n\nA new article about bees and honey.\n"
V2 = "Beta Bees\n\nAn edited article about bees, wax and honey.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def cert(d, name):
    """A self-signed client certificate made by openssl: (crt, key, fp)."""
    crt, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=" + name],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(crt, "rb") as f:
        der = ssl.PEM_cert_to_DER_cert(f.read().decode())
    h = hashlib.sha256(der).hexdigest().upper()
    return crt, key, "SHA256:" + ":".join(h[i:i + 2]
                                          for i in range(0, 64, 2))


class Uploader:
    def __init__(self, port, certs):
        self.port = port
        self.ctx = {k: client_ctx(cert=v[:2]) for k, v in certs.items()}
        self.ctx[None] = client_ctx()

    def req(self, path, body=b"", who="ann", params=b"", size=None,
            host=b"localhost", port=None, extra=b"", timeout=10):
        if isinstance(body, str):
            body = body.encode()
        line = b"titan://%s:%d%s;size=%s%s\r\n" % (
            host, port or self.port, path,
            b"%d" % len(body) if size is None else size, params)
        return fetch(self.port, line + body + extra, ctx=self.ctx[who],
                     timeout=timeout)


def tree(root):
    """Every file below root, with its bytes."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def history(capsule, name):
    d = os.path.join(capsule, ".titan-history")
    if not os.path.isdir(d):
        return []
    out = []
    for f in sorted(os.listdir(d)):
        if f.startswith(name + "~"):
            with open(os.path.join(d, f), "rb") as fh:
                out.append(fh.read())
    return out


def http_get(port, path):
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\n"
                  b"Connection: close\r\n\r\n" % path.encode())
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                return data
            data += d


def served_everywhere(s, slug, title, words):
    """Every protocol serves the article now: no wait, no retry."""
    port = s.port
    r = gem(port, "/articles/%s.gmi" % slug)
    T.check("gemini: the article", r.status == "20" and words in r.text(),
            words, r)
    T.check("gemini: home lists it", title in gem(port, "/").text(),
            title, "")
    T.check("gemini: the feed has it", title in gem(port, "/atom.xml").text(),
            title, "")
    al = gem(port, "/articles/alpha-article.gmi").text()
    T.check("gemini: the related link of another article",
            "=> /articles/%s.gmi %s" % (slug, title) in al, title, al)
    g = gopher(s.gport, b"/articles/%s/\r\n" % slug.encode())
    T.check("gopher: the article", words.encode() in g, words, g[:300])
    T.check("spartan: home lists it",
            title.encode() in spartan(s.sport, "/").raw, title, "")
    T.check("nex: home lists it",
            title.encode() in nex(s.ports["nex"], b"/\n").raw, title, "")
    T.check("http: home lists it",
            title.encode() in http_get(s.hport, "/"), title, "")


def flow(s, up, capsule):
    port = s.port
    t0 = time.monotonic()
    r = up.req(b"/beta.txt", V1, params=b";mime=text/plain")
    url = "gemini://localhost:%d/articles/beta-bees.gmi" % port
    T.check("create: 30 to the article", (r.status, r.meta) == ("30", url),
            "30 " + url, r)
    got = gem(port, "/articles/beta-bees.gmi")
    T.check("create: served within 1 s of the upload",
            got.status == "20" and time.monotonic() - t0 < 1.0, "< 1 s",
            "%.3f s" % (time.monotonic() - t0))
    served_everywhere(s, "beta-bees", "Beta Bees", "bees and honey")
    T.check("create: the file is the upload",
            open(os.path.join(capsule, "beta.txt"), "rb").read() ==
            V1.encode(), V1, "")
    T.check("create: logged with the author's name",
            s.wait_line(lambda l: b"titan: Ann writing /beta.txt, %d bytes: "
                        b"done" % len(V1) in l) is not None, "log line", "")
    r = gem(port, "/beta.txt", ctx=up.ctx["ann"])
    T.check("edit route: the source for the author",
            (r.status, r.meta, r.body) ==
            ("20", "text/plain; charset=utf-8", V1.encode()), V1, r)
    r = gem(port, "/beta.txt", ctx=up.ctx["eve"])
    T.check("edit route: 31 for a stranger", r.status == "31", "31", r)
    r = up.req(b"/beta.txt", V2)
    T.check("edit: 30", (r.status, r.meta) == ("30", url), "30", r)
    r = gem(port, "/articles/beta-bees.gmi")
    T.check("edit: served at once", "wax and honey" in r.text(), "wax", r)
    T.check("edit: history holds v1", history(capsule, "beta.txt") ==
            [V1.encode()], [V1], history(capsule, "beta.txt"))
    r = up.req(b"/beta.txt", b"")
    T.check("delete: 30 to home", (r.status, r.meta) ==
            ("30", "gemini://localhost:%d/" % port), "30 home", r)
    r = gem(port, "/articles/beta-bees.gmi")
    T.check("delete: the article is gone at once", r.status == "51", "51", r)
    T.check("delete: the file is gone",
            not os.path.exists(os.path.join(capsule, "beta.txt")), "gone", "")
    T.check("delete: history holds v1 and v2 byte for byte",
            history(capsule, "beta.txt") == [V1.encode(), V2.encode()],
            [V1, V2], history(capsule, "beta.txt"))
    r = up.req(b"/beta.txt", b"")
    T.check("delete again: 51", r.status == "51", "51", r)
    r = up.req(b"/files/note.gmi", "# A note\n")
    T.check("a capsule file: 30 to it", (r.status, r.meta) ==
            ("30", "gemini://localhost:%d/files/note.gmi" % port), "30", r)
    T.check("a capsule file: served", gem(port, "/files/note.gmi").body ==
            b"# A note\n", "# A note", "")


BAD = [
    # (name, path, body, params/size, who, host, port, status)
    ("size missing", b"/x.txt", None, None, "59"),
    ("size -5", b"/x.txt", b"hello", b"-5", "59"),
    ("size +5", b"/x.txt", b"hello", b"+5", "59"),
    ("size 0x10", b"/x.txt", b"0123456789abcdef", b"0x10", "59"),
    ("size 1e3", b"/x.txt", b"x" * 1000, b"1e3", "59"),
    ("size of 30 digits", b"/x.txt", b"x", b"1" * 30, "59"),
    ("size above the limit", b"/x.txt", b"", b"%d" % (MAX + 1), "59"),
    ("'..'", b"/../x.txt", b"Title\n\nText.\n", None, "59"),
    ("%2F", b"/files%2Fx.txt", b"Title\n\nText.\n", None, "59"),
    ("a dotfile", b"/.x.txt", b"Title\n\nText.\n", None, "59"),
    ("the history", b"/.titan-history/beta.txt", b"Title\n", None, "59"),
    ("the certificates", b"/certs/localhost.pem", b"-----BEGIN", None, "59"),
    ("a directory", b"/files/", b"Title\n", None, "59"),
    ("invalid UTF-8 in a .txt", b"/x.txt", b"Title\n\ncaf\xe9 \xff\xfe\n",
     None, "59"),
    ("a PNG in a .txt", b"/x.txt", PNG, None, "59"),
    ("an empty-looking .txt", b"/x.txt", b"\n\n\n", None, "59"),
]


def bad_inputs(s, up, capsule):
    before = tree(capsule)
    for name, path, body, size, want in BAD:
        if body is None:
            r = fetch(s.port, b"titan://localhost:%d%s;mime=text/plain\r\n"
                      % (s.port, path), ctx=up.ctx["ann"])
        else:
            r = up.req(path, body, size=size)
        T.check("bad input, %s: %s" % (name, want), r.status == want, want, r)
    r = up.req(b"/x.txt", "T\n\nx\n", params=b";mime=text/plain\x01")
    T.check("bad input, mime with a control character: 59",
            r.status == "59", "59", r)
    r = up.req(b"/x.txt", "T\n\nx\n", host=b"example.org")
    T.check("bad input, another host: 53", r.status == "53", "53", r)
    r = up.req(b"/x.txt", "T\n\nx\n", port=1)
    T.check("bad input, another port: 53", r.status == "53", "53", r)
    r = up.req(b"/x.txt", "Title\n\nText.\n", who=None)
    T.check("no certificate: 60", r.status == "60", "60", r)
    r = up.req(b"/x.txt", "Title\n\nText.\n", who="eve")
    T.check("a stranger's certificate: 61", r.status == "61", "61", r)
    r = up.req(b"/alpha.txt", b"", who="eve")
    T.check("a stranger cannot delete: 61", r.status == "61", "61", r)
    # fewer bytes than announced, then the client closes
    sock = up.ctx["ann"].wrap_socket(socket.create_connection(
        (HOST, s.port), timeout=10), server_hostname="localhost")
    sock.sendall(b"titan://localhost:%d/short.txt;size=100\r\nTitle\n\n"
                 % s.port)
    sock.close()
    # the header, then a stall: closed at the deadline, no answer
    t0 = time.monotonic()
    r = up.req(b"/stall.txt", b"Title\n\nText", size=b"100")
    T.check("a stalled body: closed without an answer",
            r.status is None and r.eof and
            time.monotonic() - t0 < DEADLINE + 3, "closed, no status", r)
    T.check("bad inputs: nothing changed on disk", tree(capsule) == before,
            "the same files", sorted(set(tree(capsule)) ^ set(before)))
    body = b"# More\n"
    r = up.req(b"/files/more.gmi", body, extra=b"EXTRA BYTES" * 50)
    T.check("more bytes than announced: 30", r.status == "30", "30", r)
    T.check("more bytes than announced: exactly those announced written",
            open(os.path.join(capsule, "files", "more.gmi"), "rb").read() ==
            body, body, "")


def concurrent(s, up, capsule):
    res = {}

    def one(i):
        res[i] = up.req(b"/c%02d.txt" % i,
                        "Concurrent %02d\n\nText number %02d.\n" % (i, i))
    ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    T.check("20 concurrent uploads: all 30",
            all(res.get(i) and res[i].status == "30" for i in range(20)),
            "20 x 30", {i: res.get(i) for i in range(20)
                        if not (res.get(i) and res[i].status == "30")})
    bad = [i for i in range(20)
           if "Text number %02d." % i not in
           gem(s.port, "/articles/concurrent-%02d.gmi" % i).text() or
           open(os.path.join(capsule, "c%02d.txt" % i)).read() !=
           "Concurrent %02d\n\nText number %02d.\n" % (i, i)]
    T.check("20 concurrent uploads: each served and on disk exactly",
            bad == [], [], bad)
    bodies = {}

    def same(i):
        bodies[i] = ("Same Path\n\nVersion %02d " % i + "x" * 2000 +
                     "\n").encode()
        res[100 + i] = up.req(b"/same.txt", bodies[i])
    ts = [threading.Thread(target=same, args=(i,)) for i in range(50)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    st = [res[100 + i].status if res.get(100 + i) else None
          for i in range(50)]
    T.check("50 parallel uploads from one certificate: each 30 or 44",
            set(st) <= {"30", "44"} and "30" in st, "30/44", st)
    final = open(os.path.join(capsule, "same.txt"), "rb").read()
    T.check("50 parallel uploads: the file is one of them, whole",
            final in bodies.values(), "one body", final[:40])
    h = history(capsule, "same.txt")
    T.check("50 parallel uploads: at most titan-history versions kept",
            len(h) <= HISTORY and all(v in bodies.values() for v in h),
            "<= %d whole versions" % HISTORY, len(h))


def token(binary, certs, root):
    capsule = os.path.join(root, "tcapsule")
    os.mkdir(capsule)
    write(os.path.join(capsule, "alpha.txt"), ALPHA)
    own(capsule)
    conf = os.path.join(root, "token.conf")
    write(conf, "host localhost\ncapsule %s\ncerts %s\ntitan yes\n"
          "author %s\ntitan-token s3cret\n" %
          (capsule, os.path.join(root, "certs"), certs["ann"][2]))
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-T", "2"],
               name="token")
    if not T.check("token server starts", s.start(), "listening", s.text()):
        return
    up = Uploader(s.port, certs)
    r = up.req(b"/t.txt", "Tok\n\nText.\n")
    T.check("token missing: 61", r.status == "61", "61", r)
    r = up.req(b"/t.txt", "Tok\n\nText.\n", params=b";token=wrong")
    T.check("token wrong: 61", r.status == "61", "61", r)
    r = up.req(b"/t.txt", "Tok\n\nText.\n", params=b";token=s3cret")
    T.check("token right: 30", r.status == "30", "30", r)
    T.check("the token is never logged", b"s3cret" not in s.raw, "absent",
            "")
    stop_checked(s, "token")


def unwritable(binary, certs, root):
    """A capsule the serving user cannot write: -n refuses titan yes."""
    if os.geteuid() != 0:
        T.skip("-n: an unwritable capsule", "as root only: otherwise the "
               "serving user is the test's, who owns the capsule")
        return
    capsule = os.path.join(root, "rocapsule")
    os.mkdir(capsule, 0o755)
    write(os.path.join(capsule, "alpha.txt"), ALPHA)
    conf = os.path.join(root, "ro.conf")
    write(conf, "host localhost\ncapsule %s\ncerts %s\ntitan yes\n"
          "author %s Ann\n" % (capsule, os.path.join(root, "certs"),
                                certs["ann"][2]))
    n = subprocess.run([binary, "-n", "-c", conf], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    T.check("-n: titan yes on a capsule nobody cannot write is refused",
            n.returncode != 0 and b"cannot write here" in n.stderr,
            "exit non-zero, 'user nobody cannot write here'",
            (n.returncode, n.stderr[-300:]))


def own(d):
    """The writer runs as nobody when the test is root."""
    if os.geteuid() == 0:
        for p, dirs, files in os.walk(d):
            os.chown(p, 65534, 65534)
            for f in files:
                os.chown(os.path.join(p, f), 65534, 65534)


def disk_full(binary, certs, root):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        T.skip("disk full", "needs root and unshare for a tmpfs in a "
               "private mount namespace")
        return
    probe = subprocess.run(["unshare", "-m", "--propagation", "private",
                            "true"], stderr=subprocess.PIPE)
    if probe.returncode != 0:
        T.skip("disk full", "unshare -m refused: %s" %
               probe.stderr.decode(errors="replace").strip())
        return
    capsule = os.path.join(root, "small")
    os.mkdir(capsule)
    conf = os.path.join(root, "small.conf")
    write(conf, "host localhost\ncapsule %s\ncerts %s\ntitan yes\n"
          "author %s Ann\ntitan-max-size %d\n" %
          (capsule, os.path.join(root, "certs"), certs["ann"][2], 1 << 20))
    script = ("mount -t tmpfs -o size=256k,mode=0755,uid=65534 tmpfs %s && "
              "printf '%%s' \"$ALPHA\" > %s/alpha.txt && chown 65534 "
              "%s/alpha.txt && exec \"$@\"" % (capsule, capsule, capsule))
    s = Server(["unshare", "-m", "--propagation", "private", "sh", "-c",
                script, "sh", binary, "-c", conf, "-g", "0", "-p", "0",
                "-T", "2"], name="small",
               env=dict(os.environ, ALPHA=ALPHA))
    if not T.check("disk full: server starts", s.start(), "listening",
                   s.text()):
        return
    up = Uploader(s.port, certs)
    page = gem(s.port, "/articles/alpha-article.gmi").body
    big = ("Big\n\n" + "word " * 100000 + "\n").encode()     # ~500 KiB
    r = up.req(b"/alpha.txt", big)
    T.check("disk full: 40 with a message", r.status == "40" and
            "No space left" in (r.meta or ""), "40 ... No space left", r)
    T.check("disk full: the old article served intact",
            gem(s.port, "/articles/alpha-article.gmi").body == page, "same",
            "")
    inside = "/proc/%d/root%s" % (s.proc.pid, capsule)
    try:
        names = os.listdir(inside)
        T.check("disk full: no temporary file left",
                [n for n in names if n.startswith(".titan-") and
                 n.endswith(".tmp")] == [], "none", names)
        T.check("disk full: alpha.txt untouched",
                open(os.path.join(inside, "alpha.txt")).read() == ALPHA,
                ALPHA, "")
    except OSError as e:
        T.skip("disk full: the files inside", "cannot look into the "
               "namespace: %s" % e)
    stop_checked(s, "small")


def selftest(binary, capsule):
    p = subprocess.run([binary, "--sandbox-selftest", capsule, "/etc/passwd"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    out = p.stdout.decode(errors="replace").splitlines()
    if b"sanitizer" in p.stdout + p.stderr or b"NO SANDBOX" in p.stderr:
        T.skip("sandbox self-test", "a sanitizer build has no sandbox")
        return
    T.check("selftest: the writer cannot open a socket",
            "writer: socket: Operation not permitted" in out, "refused", out)
    T.check("selftest: the writer writes in the capsule",
            "writer: write in the allowed directory: allowed" in out,
            "allowed", out)
    if b"no Landlock" in p.stderr:
        T.skip("selftest: writes refused", "this kernel has no Landlock")
        return
    T.check("selftest: the serving process cannot write",
            "write in the allowed directory: Permission denied" in out,
            "Permission denied", out)
    T.check("selftest: the writer cannot write outside",
            "writer: write /etc/passwd outside: Permission denied" in out,
            "Permission denied", out)
    T.check("selftest: exit 0", p.returncode == 0, 0, p.returncode)


def body(binary):
    root = public_tmpdir("titan-")
    os.makedirs(os.path.join(root, "certs"))
    capsule = os.path.join(root, "capsule")
    os.makedirs(os.path.join(capsule, "files"))
    write(os.path.join(capsule, "alpha.txt"), ALPHA)
    own(capsule)
    certs = {"ann": cert(root, "ann"), "eve": cert(root, "eve")}
    conf = os.path.join(root, "capsuled.conf")
    write(conf, "log-level info\nhost localhost\ncapsule %s\ncerts %s\n"
          "titan yes\nauthor %s Ann\ntitan-max-size %d\ntitan-history %d\n"
          % (capsule, os.path.join(root, "certs"), certs["ann"][2], MAX,
             HISTORY))
    n = subprocess.run([binary, "-n", "-c", conf], stdout=subprocess.PIPE)
    T.check("capsuled -n prints the titan keys back",
            n.returncode == 0 and b"titan yes\nauthor %s Ann\n" %
            certs["ann"][2].encode() in n.stdout, "titan lines", n.stdout)
    unwritable(binary, certs, root)
    s = Server([binary, "-c", conf, "-g", "0", "-p", "0", "-s", "0", "-x",
                "0", "-w", "0", "-T", str(DEADLINE)])
    if not T.check("server starts", s.start(), "listening", s.text()):
        return
    up = Uploader(s.port, certs)
    flow(s, up, capsule)
    bad_inputs(s, up, capsule)
    concurrent(s, up, capsule)
    stop_checked(s)
    token(binary, certs, root)
    disk_full(binary, certs, root)
    selftest(binary, capsule)


if __name__ == "__main__":
    sys.exit(run_suite(body, 100, 60))
