#!/usr/bin/env python3
"""gemini_test.py [BIN]: integration test of capsuled's Gemini listener.

Starts the real binary (default ./capsuled) on a fixture capsule and an
ephemeral port, and talks to it only with independent clients: Python's
ssl module and `openssl s_client`.  Run from the repository root.  Prints
one line per failed check (name, want, got) and last `N passed, N failed`;
exits 1 when a check failed.
"""

import concurrent.futures
import glob
import hashlib
import os
import random
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (T, Server, client_ctx, fetch, gem,  # noqa: E402
                     sanitizer_check)

HOST = "127.0.0.1"
DEADLINE = 2            # the server's -T
IO_TIMEOUT = 10         # every socket
START_TIMEOUT = 10      # until "listening gemini" on stderr
STOP_TIMEOUT = 5        # SIGTERM to exit
HEADER_MAX = 1024 + 5   # "NN " + 1024 bytes of META + CRLF
GEMTEXT = "text/gemini; charset=utf-8"
T0 = time.monotonic()


# --------------------------------------------------------------- server

def gemini_server(binary, capsule, certdir):
    """The server under test (harness.Server), not started yet."""
    # -p 0: as root the Gopher port defaults to 70 (DESIGN.md), which
    # a second instance, or anything else on the machine, may hold
    return Server([binary, "-g", "0", "-p", "0", "-d", capsule,
                   "-C", certdir, "-T", str(DEADLINE)])


def start(server):
    """The Gemini port once the listening lines are seen, else None."""
    return server.port if server.start(START_TIMEOUT) else None


def header_ok(r):
    """Why the header is malformed, or None."""
    h = r.header
    if h is None:
        return "no header (no CRLF in %r)" % r.raw[:100]
    if len(h) > HEADER_MAX:
        return "header of %d bytes" % len(h)
    try:
        text = h.decode("utf-8")
    except UnicodeDecodeError:
        return "header not UTF-8"
    if text.startswith("\ufeff"):
        return "header starts with a BOM"
    m = re.match(r"^([0-9]{2})(?: ([^\r\n]*))?\r\n$", text)
    if not m:
        return "not 'NN SP META CRLF' nor 'NN CRLF'"
    status, meta = m.group(1), m.group(2)
    if not "10" <= status <= "69":
        return "status %s out of range" % status
    if meta is not None:
        if meta == "" or meta[0] in " \t":
            return "not exactly one space before META"
        if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in meta):
            return "control character in META"
    if status[0] in "123" and not meta:
        return "status %s without META" % status
    return None


def expect(name, r, status, meta=None, meta_re=None, body=None,
           close=True):
    """The usual checks of one reply: header, status, META, body, close."""
    why = header_ok(r)
    if not T.check(name + ": well-formed header", why is None,
                   "NN SP META CRLF", "%s: %r" % (why, r)):
        return False
    ok = T.check(name + ": status", r.status == status, status,
                 r.header)
    if meta is not None:
        ok &= T.check(name + ": meta", r.meta == meta, meta, r.meta)
    if meta_re is not None:
        ok &= T.check(name + ": meta", r.meta is not None and
                      re.fullmatch(meta_re, r.meta) is not None,
                      "/%s/" % meta_re, r.meta)
    if not status.startswith("2"):
        ok &= T.check(name + ": no body after %s" % status, r.body == b"",
                      "b''", r.body[:200])
    elif body is not None:
        ok &= T.check(name + ": body", r.body == body, body, r.body)
    if close:
        ok &= T.check(name + ": close_notify", r.clean and r.error is None,
                      "recv() == b'' after close_notify",
                      r.error or "not clean")
    return ok


def raw_tcp(port, data, timeout=IO_TIMEOUT):
    """Plain TCP: send data (may be empty), read until close."""
    t0 = time.monotonic()
    got = bytearray()
    err = None
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            if data:
                s.sendall(data)
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
    except OSError as e:
        err = repr(e)
    return bytes(got), err, time.monotonic() - t0


def run(argv, inp=None, timeout=20):
    p = subprocess.run(argv, input=inp, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# -------------------------------------------------------------- fixture

def tiny_png():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) +
            chunk(b"IEND", b""))


FILES = {
    "index.gmi": b"Welcome intro\n",
    "dir/index.gmi": b"# Dir index\n",
    "dir/page.gmi": b"# A page\n\nA hand-written gemtext page.\n",
    "dir/notes.txt": b"Plain notes in a subdirectory.\nNot an article.\n",
    "dir/.secret": b"secret\n",
    "list/a.gmi": b"# A\n",
    "list/b b.txt": b"b b\n",
    "list/sub/c.gmi": b"# C\n",
    "list/.dot.gmi": b"# hidden\n",
    ".hidden.gmi": b"# hidden\n",
    "img.png": tiny_png(),
}


def build_capsule(repo):
    d = tempfile.mkdtemp(prefix="capsuled-gemini-")
    sources = (sorted(glob.glob(os.path.join(repo, "capsule", "*.txt"))) +
               sorted(glob.glob(os.path.join(repo, "tests", "golden",
                                             "capsule", "*.txt"))))
    for src in sources:
        shutil.copy(src, d)
    files = dict(FILES)
    rnd = random.Random(1965)
    files["data.bin"] = bytes(rnd.getrandbits(8) for _ in range(4096))
    files["big.bin"] = rnd.randbytes(3 * 1024 * 1024)
    for name, data in files.items():
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    os.symlink("/etc/passwd", os.path.join(d, "outside.gmi"))
    os.symlink("dir/page.gmi", os.path.join(d, "inside.gmi"))
    os.mkfifo(os.path.join(d, "fifo.gmi"))
    subprocess.run(["chmod", "-R", "a+rX", d], check=True)
    return d, files, [os.path.basename(s) for s in sources]


def front_lang(path):
    """The lang value of a source file's front matter, or None."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace").lstrip("\ufeff")
    lines = text.splitlines()
    lang = None
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            k, _, v = line.partition(":")
            if k.strip().lower() == "lang":
                lang = v.strip()
    return lang


# ---------------------------------------------------------------- tests

HOME_LINK = re.compile(r"^=> /articles/([^ ]+)\.gmi (\d{4}-\d{2}-\d{2}) (.+)$")


def test_home(port):
    """The four spellings of the home page; returns its body and entries."""
    ref = gem(port, "gemini://localhost/")
    expect("home gemini://localhost/", ref, "20", meta=GEMTEXT)
    for uri in ("gemini://localhost", "gemini://LOCALHOST:%d/" % port,
                "GEMINI://localhost/"):
        expect("home " + uri, gem(port, uri), "20", meta=GEMTEXT,
               body=ref.body)
    body = ref.body.decode("utf-8", "replace")
    lines = body.split("\n")
    T.check("home: first line", lines[0] == "# localhost", "# localhost",
            lines[0])
    entries = []
    first_link = None
    for i, line in enumerate(lines):
        m = HOME_LINK.match(line)
        if m:
            entries.append((m.group(1), m.group(2), m.group(3)))
            if first_link is None:
                first_link = i
    intro = [i for i, l in enumerate(lines) if l == "Welcome intro"]
    T.check("home: intro from index.gmi before the list",
            intro and first_link is not None and intro[0] < first_link,
            "'Welcome intro' line before the first article link",
            body[:300])
    dates = [e[1] for e in entries]
    T.check("home: newest first", dates == sorted(dates, reverse=True),
            "dates non-increasing", dates)
    atom = [i for i, l in enumerate(lines) if l == "=> /atom.xml Atom feed"]
    T.check("home: atom link after the list", len(atom) == 1 and
            entries and atom[0] > first_link + len(entries) - 1,
            "one '=> /atom.xml Atom feed' line after the articles",
            body[-200:])
    T.check("home: some articles", len(entries) > 0, "> 0", body[:300])
    return ref.body, entries


def test_articles(port, binary, capsule, sources, entries):
    """Each article as `convert` renders it; related links crawled."""
    by_title = {}
    converted = {}
    for name in sources:
        rc, out, err = run([binary, "convert", os.path.join(capsule, name)])
        if not T.check("convert %s" % name, rc == 0 and
                       out.startswith(b"# "), "exit 0, '# Title' first",
                       (rc, out[:80], err[-300:])):
            continue
        title = out.split(b"\n", 1)[0][2:].decode("utf-8", "replace")
        converted[name] = out
        by_title.setdefault(title, []).append(name)
    slug_of = {}
    for slug, date, title in entries:
        names = by_title.get(title, [])
        if T.check("home entry %r matches one source file" % title,
                   len(names) == 1, "one file", names):
            slug_of[names[0]] = slug
    T.check("home: one entry per article", len(entries) == len(converted)
            and len(slug_of) == len(converted), len(converted),
            "%d entries, %d matched" % (len(entries), len(slug_of)))
    bodies = {}
    for name, slug in sorted(slug_of.items()):
        lang = front_lang(os.path.join(capsule, name))
        if lang is not None and re.fullmatch(
                r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", lang):
            meta = GEMTEXT + "; lang=" + lang
        else:
            meta = GEMTEXT
        r = gem(port, "/articles/%s.gmi" % slug)
        expect("article %s (%s)" % (slug, name), r, "20", meta=meta)
        conv = converted[name]
        T.check("article %s: what convert prints, then similar articles"
                % slug, r.body[:len(conv)] == conv, conv[-200:],
                r.body[:len(conv)][-200:])
        rest = r.body[len(conv):].decode("utf-8", "replace")
        T.check("article %s: only '## Similar articles' and links after"
                % slug, re.fullmatch(r"(\n## Similar articles\n"
                r"(=> /articles/[^ /]+\.gmi [^\n]+\n)+)?", rest) is not None,
                "a similar-articles section", rest)
        own = set(re.findall(r"^=> (/articles/\S+\.gmi)",
                             conv.decode("utf-8", "replace"), re.M))
        own.add("/articles/%s.gmi" % slug)
        sim = re.findall(r"^=> (/articles/\S+\.gmi)", rest, re.M)
        T.check("article %s: similar articles repeat no related link "
                "nor the article itself" % slug, not own & set(sim)
                and len(sim) == len(set(sim)) and len(sim) <= 5,
                "at most 5, none of %s" % sorted(own), sim)
        bodies[slug] = r.body
        # the source file's name redirects to the article
        expect("/%s" % name, gem(port, "/" + name), "31",
               meta="gemini://localhost:%d/articles/%s.gmi" % (port, slug))
    related = set()
    for slug, b in bodies.items():
        for line in b.decode("utf-8", "replace").split("\n"):
            m = re.match(r"^=>\s*(/articles/\S+)", line)
            if m:
                related.add(m.group(1))
    T.check("crawl: some related links", len(related) > 0, "> 0",
            len(related))
    for link in sorted(related):
        r = gem(port, link)
        expect("crawl %s" % link, r, "20", meta_re=re.escape(GEMTEXT) +
               r"(; lang=[A-Za-z0-9-]+)?")
    return slug_of


def test_atom(port, entries):
    r = gem(port, "/atom.xml")
    expect("/atom.xml", r, "20", meta="application/atom+xml")
    try:
        root = ET.fromstring(r.body)
    except ET.ParseError as e:
        T.check("/atom.xml: well-formed XML", False, "parses", e)
        return
    T.check("/atom.xml: well-formed XML", True)
    ns = "{http://www.w3.org/2005/Atom}"
    T.check("/atom.xml: Atom feed root", root.tag == ns + "feed",
            ns + "feed", root.tag)
    ids = [e.findtext(ns + "id") for e in root.findall(ns + "entry")]
    want = {"gemini://localhost:%d/articles/%s.gmi" % (port, s)
            for s, _, _ in entries}
    T.check("/atom.xml: entries", len(ids) == len(entries), len(entries),
            len(ids))
    bad = [i for i in ids if i not in want]
    T.check("/atom.xml: entry ids are article URLs", not bad,
            "gemini://localhost:%d/articles/<slug>.gmi" % port, bad)


def test_routes(port, files):
    base = "gemini://localhost:%d" % port
    expect("/articles", gem(port, "/articles"), "31", meta=base + "/")
    expect("/articles/", gem(port, "/articles/"), "31", meta=base + "/")
    expect("/articles/nope.gmi", gem(port, "/articles/nope.gmi"), "51")
    expect("/articles/page/1.gmi", gem(port, "/articles/page/1.gmi"),
           "20", meta_re=r"text/gemini(;.*)?")
    expect("/articles/page/0.gmi", gem(port, "/articles/page/0.gmi"), "51")
    expect("/articles/page/2.gmi", gem(port, "/articles/page/2.gmi"), "51")
    expect("/001_welcome.txt", gem(port, "/001_welcome.txt"), "31",
           meta=base + "/articles/welcome-to-capsuled.gmi")
    expect("/nope.txt", gem(port, "/nope.txt"), "51")

    expect("/dir", gem(port, "/dir"), "31", meta=base + "/dir/")
    expect("/dir/", gem(port, "/dir/"), "20", meta_re=r"text/gemini(;.*)?",
           body=files["dir/index.gmi"])
    expect("/dir/notes.txt", gem(port, "/dir/notes.txt"), "20",
           meta_re=r"text/plain; ?charset=[A-Za-z0-9_-]+",
           body=files["dir/notes.txt"])
    r = gem(port, "/list/")
    expect("/list/", r, "20", meta_re=r"text/gemini(;.*)?")
    links = re.findall(r"^=>[ \t]*(\S+)", r.body.decode("utf-8", "replace"),
                       re.M)
    for want in ("a.gmi", "b%20b.txt", "sub/"):
        T.check("/list/: link %s" % want, want in links, want, links)
    dots = [l for l in links if l.rsplit("/", 2)[-1].startswith(".") and
            l not in ("../", "./")] + (["'.dot.gmi' in text"]
                                        if b".dot" in r.body else [])
    T.check("/list/: no dotfiles", not dots, "none", dots)
    expect("/list/sub/", gem(port, "/list/sub/"), "20",
           meta_re=r"text/gemini(;.*)?")
    expect("/img.png", gem(port, "/img.png"), "20", meta="image/png",
           body=files["img.png"])
    expect("/data.bin", gem(port, "/data.bin"), "20",
           meta="application/octet-stream", body=files["data.bin"])
    r = gem(port, "/big.bin")
    expect("/big.bin", r, "20")
    want = hashlib.sha256(files["big.bin"]).hexdigest()
    T.check("/big.bin: sha256", hashlib.sha256(r.body).hexdigest() == want,
            "%s (%d bytes)" % (want, len(files["big.bin"])),
            "%s (%d bytes)" % (hashlib.sha256(r.body).hexdigest(),
                               len(r.body)))
    for path in ("/09pdsakjo73hjn12id78", "/.hidden.gmi", "/dir/.secret",
                 "/outside.gmi", "/fifo.gmi"):
        expect(path, gem(port, path), "51")
    expect("/inside.gmi", gem(port, "/inside.gmi"), "20",
           meta_re=r"text/gemini(;.*)?", body=files["dir/page.gmi"])


def test_bad_requests(port, home):
    cases = [
        ("empty line", b"\r\n"),
        ("relative /", b"/\r\n"),
        ("scheme-less //localhost/", b"//localhost/\r\n"),
        ("Hello Gemini!", b"Hello Gemini!\r\n"),
        ("userinfo", b"gemini://user@localhost/\r\n"),
        ("fragment", b"gemini://localhost/#frag\r\n"),
        ("bad escape in host", b"gemini://%/\r\n"),
        ("bad port 196s", b"gemini://localhost:196s/\r\n"),
        ("byte 0xDC", b"gemini://localhost/\xdc\r\n"),
        ("overlong NUL C0 80", b"gemini://localhost/\xc0\x80\r\n"),
        ("%00", b"gemini://localhost/%00\r\n"),
        ("/../../", b"gemini://localhost/../../\r\n"),
        ("/..", b"gemini://localhost/..\r\n"),
        ("/%2e%2e/", b"gemini://localhost/%2e%2e/\r\n"),
        ("/..%2F..%2F", b"gemini://localhost/..%2F..%2F\r\n"),
        ("/foo%2F..%2F..", b"gemini://localhost/foo%2F..%2F..\r\n"),
        ("/%2Fetc%2Fpasswd", b"gemini://localhost/%2Fetc%2Fpasswd\r\n"),
        ("1025-byte URI", b"gemini://localhost/" +
         b"0" * (1025 - len(b"gemini://localhost/")) + b"\r\n"),
        ("HTTP request", b"GET / HTTP/1.1\r\n\r\n"),
    ]
    for name, req in cases:
        expect("59 %s" % name, fetch(port, req), "59")
    # the meta says what was wrong, one reason per check
    reasons = [
        ("space", b"gemini://localhost/a b\r\n",
         "Bad request: space in the URL (write it as %20)"),
        ("raw ESC", b"gemini://localhost/\x1b[31m\r\n",
         "Bad request: control character in the URL"),
        ("%1B", b"gemini://localhost/%1B%5B31m\r\n",
         "Bad request: control character in the path (percent-encoded)"),
        ("byte 0xDC", b"gemini://localhost/\xdc\r\n",
         "Bad request: not UTF-8"),
        ("%zz", b"gemini://localhost/%zz\r\n",
         "Bad request: '%' not followed by two hexadecimal digits"),
        ("userinfo", b"gemini://user@localhost/\r\n",
         "Bad request: userinfo not allowed"),
        ("fragment", b"gemini://localhost/#frag\r\n",
         "Bad request: fragment not allowed"),
        ("..", b"gemini://localhost/../x\r\n",
         "Bad request: '..' in the path"),
        ("1025 bytes", b"gemini://localhost/" +
         b"0" * (1025 - len(b"gemini://localhost/")) + b"\r\n",
         "Bad request: request longer than 1024 bytes"),
    ]
    for name, req, meta in reasons:
        expect("59 %s: reason" % name, fetch(port, req), "59", meta=meta)
    # 20 kB without CRLF: an answer, never a hang (close may be abrupt)
    r = fetch(port, b"gemini://localhost/" + b"a" * 20000)
    expect("59 20 kB without CRLF", r, "59", close=False)
    T.check("59 20 kB without CRLF: answered in time", r.elapsed < 5,
            "< 5 s", "%.1f s" % r.elapsed)

    uri = b"gemini://localhost/"
    uri += b"0" * (1024 - len(uri))
    expect("1024-byte URI", fetch(port, uri + b"\r\n"), "51")

    for uri in ("http://localhost/", "https://localhost/",
                "gopher://localhost/", "gemini://wikipedia.org/",
                "gemini://localhost:443/", "gemini://127.0.0.1:%d/" % port):
        expect("53 %s" % uri, gem(port, uri), "53")

    r = fetch(port, b"gemini://localhost/\r\ngemini://localhost/nope\r\n")
    expect("bytes after CRLF ignored (one response)", r, "20", meta=GEMTEXT,
           body=home)


def test_tls(port, home):
    r = gem(port, "/", sni=None)
    expect("no SNI", r, "20", meta=GEMTEXT, body=home)
    r = gem(port, "/", sni="other.example")
    expect("SNI other.example", r, "20", meta=GEMTEXT, body=home)
    r = gem(port, "/", ctx=client_ctx(maxv=ssl.TLSVersion.TLSv1_2))
    expect("TLS 1.2", r, "20", meta=GEMTEXT, body=home)
    T.check("TLS 1.2: negotiated", r.version == "TLSv1.2", "TLSv1.2",
            r.version)
    r = gem(port, "/", ctx=client_ctx(minv=ssl.TLSVersion.TLSv1_3))
    expect("TLS 1.3", r, "20", meta=GEMTEXT, body=home)
    T.check("TLS 1.3: negotiated", r.version == "TLSv1.3", "TLSv1.3",
            r.version)

    def s_client(version):
        return run(["openssl", "s_client", version, "-cipher",
                    "DEFAULT@SECLEVEL=0", "-connect", "%s:%d" % (HOST, port)],
                   inp=b"", timeout=15)
    rc, out, err = s_client("-tls1_1")
    text = (out + err).decode("utf-8", "replace")
    m = re.search(r"written (\d+) bytes", text)
    T.check("TLS 1.1: client offered it", m is not None and
            int(m.group(1)) > 0 and "no protocols available" not in text,
            "a ClientHello sent", text[-400:])
    T.check("TLS 1.1 refused", rc != 0 and not re.search(
        r"Cipher is (?!\(NONE\))", text), "handshake failure",
        "rc %d: %s" % (rc, text[-400:]))
    rc, out, err = s_client("-tls1_2")
    text = (out + err).decode("utf-8", "replace")
    T.check("openssl s_client -tls1_2 (control)", rc == 0 and
            re.search(r"Protocol *: TLSv1\.2", text) is not None,
            "exit 0, TLSv1.2", "rc %d: %s" % (rc, text[-400:]))

    rc, out, err = run(["openssl", "s_client", "-quiet", "-nocommands",
                        "-connect", "%s:%d" % (HOST, port), "-servername",
                        "localhost"], inp=b"gemini://localhost/\r\n",
                       timeout=15)
    T.check("openssl s_client home page",
            out == ("20 %s\r\n" % GEMTEXT).encode() + home,
            "'20 %s' and the home page" % GEMTEXT,
            "rc %d stdout %r stderr %r" % (rc, out[:120], err[-200:]))


def test_certificate(port, server, certdir):
    text = server.text().decode("utf-8", "replace")
    m = re.search(r"created certificate for localhost: SHA256:"
                  r"([0-9A-Fa-f:]{64,})", text)
    T.check("stderr: created certificate ... SHA256:", m is not None,
            "a 'created certificate for localhost: SHA256:..' line",
            text[:400])
    r = fetch(port, b"gemini://localhost/\r\n")
    der = r.cert or b""
    if m:
        fp = m.group(1).replace(":", "").lower()
        T.check("fingerprint = SHA-256 of the presented certificate",
                fp == hashlib.sha256(der).hexdigest(),
                hashlib.sha256(der).hexdigest(), fp)
    key = os.path.join(certdir, "localhost.key")
    crt = os.path.join(certdir, "localhost.crt")
    mode = os.stat(key).st_mode & 0o7777 if os.path.exists(key) else None
    T.check("localhost.key mode 0600", mode == 0o600, "0o600",
            oct(mode) if mode is not None else "missing")
    if not T.check("localhost.crt exists", os.path.exists(crt), crt,
                   "missing"):
        return der
    with open(crt) as f:
        file_der = ssl.PEM_cert_to_DER_cert(f.read())
    T.check("presented certificate = localhost.crt", der == file_der,
            hashlib.sha256(file_der).hexdigest(),
            hashlib.sha256(der).hexdigest())
    rc, out, err = run(["openssl", "x509", "-in", crt, "-noout", "-subject",
                        "-issuer", "-enddate", "-ext", "subjectAltName",
                        "-nameopt", "RFC2253"])
    info = out.decode("utf-8", "replace")
    subj = re.search(r"^subject=(.*)$", info, re.M)
    iss = re.search(r"^issuer=(.*)$", info, re.M)
    T.check("certificate self-signed (subject = issuer)",
            subj and iss and subj.group(1) == iss.group(1), "equal", info)
    rc2, out2, err2 = run(["openssl", "verify", "-CAfile", crt, crt])
    T.check("certificate self-signed (openssl verify)", rc2 == 0,
            "OK", (out2 + err2).decode("utf-8", "replace"))
    T.check("certificate SAN DNS:localhost",
            re.search(r"DNS:localhost\b", info) is not None,
            "DNS:localhost", info)
    end = re.search(r"notAfter=.* (\d{4}) GMT", info)
    T.check("certificate notAfter far away", end is not None and
            int(end.group(1)) > 2100, "year > 2100", info)
    return der


def test_client_cert(port, tmp, home):
    ck = os.path.join(tmp, "client.key")
    cc = os.path.join(tmp, "client.crt")
    rc, out, err = run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-subj", "/CN=me", "-days", "1", "-keyout", ck,
                        "-out", cc])
    if not T.check("make a client certificate", rc == 0, "exit 0",
                   err[-300:]):
        return
    for name, maxv in (("TLS 1.3", None), ("TLS 1.2", ssl.TLSVersion.TLSv1_2)):
        r = gem(port, "/", ctx=client_ctx(maxv=maxv, cert=(cc, ck)))
        expect("client certificate (%s)" % name, r, "20", meta=GEMTEXT,
               body=home)


def test_concurrency(port, home):
    ctx = client_ctx()
    a = None
    try:
        sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        a = ctx.wrap_socket(sock, server_hostname="localhost",
                            suppress_ragged_eofs=False)
        a.sendall(b"g")
    except (OSError, ssl.SSLError) as e:
        T.check("concurrency: connection A", False, "handshake, 1 byte", e)
        if a:
            a.close()
        return
    # B comes from another loopback address (limits are per address,
    # capsuled.conf(5)), if there is one
    src = ("127.0.0.2", 0)
    try:
        with socket.socket() as probe:
            probe.bind(src)
    except OSError:
        src = None
    r = gem(port, "/", source=src)
    expect("concurrency: B while A stalls", r, "20", meta=GEMTEXT, body=home)
    raw = bytearray()
    clean = False
    err = None
    try:
        a.sendall(b"emini://localhost/\r\n")
        while True:
            d = a.recv(65536)
            if not d:
                clean = True
                break
            raw += d
    except (OSError, ssl.SSLError) as e:
        err = repr(e)
    finally:
        a.close()
    T.check("concurrency: A finishes", bytes(raw) == (
        "20 %s\r\n" % GEMTEXT).encode() + home and clean,
        "20 + home page + close_notify", (bytes(raw[:100]), err))


def slow_idle_tls(port):
    return fetch(port, b"", timeout=DEADLINE + 6)


def slow_lf_only(port):
    return fetch(port, b"gemini://localhost/\n", timeout=DEADLINE + 6)


def slow_raw_tcp(port):
    return raw_tcp(port, b"", timeout=DEADLINE + 6)


def check_slow(futs):
    limit = DEADLINE + 2
    r = futs["lf"].result()
    T.check("LF only: no header", r.raw == b"", "nothing", r.raw[:100])
    T.check("LF only: closed at the deadline",
            DEADLINE - 0.5 <= r.elapsed <= limit,
            "%.1f..%d s" % (DEADLINE - 0.5, limit), "%.2f s" % r.elapsed)
    T.check("LF only: close_notify", r.clean, "clean close", r.error)
    r = futs["idle"].result()
    T.check("idle TLS: nothing sent", r.raw == b"", "nothing", r.raw[:100])
    T.check("idle TLS: closed by the server", r.elapsed <= limit,
            "<= %d s" % limit, "%.2f s" % r.elapsed)
    T.check("idle TLS: close_notify", r.clean, "clean close", r.error)
    got, err, elapsed = futs["tcp"].result()
    T.check("raw TCP without TLS: closed", elapsed <= limit and
            (err is None or "reset" in err.lower()),
            "closed within %d s" % limit, "%.2f s, %s" % (elapsed, err))


def test_plain_tcp(port):
    got, err, _ = raw_tcp(port, b"gemini://localhost/\r\n")
    T.check("plain-text request over TCP: no Gemini header",
            re.match(rb"^[0-9]{2}[ \r]", got) is None and
            not got.startswith(b"20"), "no 'NN ' header", got[:100])


def test_ipv6(port, home):
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError as e:
        T.note("IPv6 check skipped: ::1 unavailable (%s)" % e)
        return
    r = gem(port, "/", addr="::1")
    expect("IPv6 [::1]", r, "20", meta=GEMTEXT, body=home)


def test_listen_v6(binary, capsule, certdir, tmp, home):
    """A listener on ::1 is logged as [::1] (not [::]) and serves."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError as e:
        T.note("listen ::1 check skipped: ::1 unavailable (%s)" % e)
        return
    conf = os.path.join(tmp, "v6.conf")
    with open(conf, "w") as f:
        f.write("listen gemini ::1 0\nlisten gopher 127.0.0.1 0\n"
                "host localhost\ncapsule %s\ncerts %s\n" % (capsule,
                                                            certdir))
    os.chmod(conf, 0o644)
    err = open(os.path.join(tmp, "v6.stderr"), "w+b")
    proc = subprocess.Popen([binary, "-c", conf, "-T", str(DEADLINE)],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    m = g = None
    end = time.monotonic() + START_TIMEOUT
    try:
        while (m is None or g is None) and proc.poll() is None and \
                time.monotonic() < end:
            time.sleep(0.05)
            err.seek(0)
            text = err.read()
            m = re.search(rb"capsuled: listening gemini (\S+):(\d+)\n",
                          text)
            g = re.search(rb"capsuled: listening gopher \S+:(\d+)\n", text)
        T.check("listen ::1: the listening line names [::1]",
                m is not None and m.group(1) == b"[::1]",
                "capsuled: listening gemini [::1]:PORT",
                m.group(0) if m else "no listening line")
        if m is not None and g is not None:
            r = gem(int(m.group(2)), "/", addr="::1")
            # the same home page but for its own Gopher port
            gopher_port = re.compile(rb"gopher://localhost:\d+/")
            expect("listen ::1: served", r, "20", meta=GEMTEXT,
                   body=gopher_port.sub(b"gopher://localhost:%s/" %
                                        g.group(1), home))
    finally:
        proc.terminate()
        rc = proc.wait(STOP_TIMEOUT)
        err.seek(0)
        text = err.read()
        err.close()
    T.check("listen ::1: SIGTERM exit 0", rc == 0, 0, rc)
    sanitizer_check("listen ::1", text)


def test_access_log(server, port, files):
    def line_for(req):
        q = b'"' + req + b'"'
        return server.wait_line(lambda l: q in l, 5)

    gem(port, "/dir/notes.txt")
    line = line_for(b"gemini://localhost/dir/notes.txt")
    n = str(len(files["dir/notes.txt"])).encode()
    T.check("access log: a line for /dir/notes.txt", line is not None,
            "a stderr line with the request", server.text()[-400:])
    if line is not None:
        toks = line.split()
        T.check("access log: client address, status, size",
                b"127.0.0.1" in toks and b"20" in toks and n in toks,
                "127.0.0.1, 20, %s" % n.decode(), line)
    gem(port, "/nope.txt")
    line = line_for(b"gemini://localhost/nope.txt")
    T.check("access log: 51 logged", line is not None and b"51" in
            line.split(), "status 51", line)
    r = fetch(port, b"gemini://localhost/%1B[31mpct-escape\r\n")
    expect("59 %1B", r, "59")
    r = fetch(port, b"gemini://localhost/\x1b[31mraw-escape\r\n")
    expect("59 raw ESC", r, "59")
    line = server.wait_line(lambda l: b"raw-escape" in l, 5)
    T.check("access log: raw ESC request logged, escaped",
            line is not None and b"\x1b" not in line, "a line without ESC",
            line)


def second_start(binary, capsule, certdir, der):
    s = gemini_server(binary, capsule, certdir)
    port = start(s)
    if T.check("second start: listening", port is not None,
               "capsuled: listening gemini 0.0.0.0:PORT", s.text()[-400:]):
        # the serving process says so once it has read the certificate
        s.wait_line(lambda l: b"certificate for localhost" in l, 10)
        T.check("second start: certificate loaded",
                re.search(rb"loaded certificate for localhost: SHA256:",
                          s.text()) is not None,
                "'loaded certificate for localhost'", s.text()[:400])
        r = fetch(port, b"gemini://localhost/\r\n")
        T.check("second start: same certificate", r.cert == der and der,
                hashlib.sha256(der).hexdigest(),
                hashlib.sha256(r.cert or b"").hexdigest())
    rc = s.stop(STOP_TIMEOUT)
    T.check("second start: SIGTERM exit 0", rc == 0, 0, rc)
    sanitizer_check("second start", s.text())


def run_all(server, port, binary, capsule, files, sources, certdir, tmp):
    pool = concurrent.futures.ThreadPoolExecutor(3)
    futs = {"lf": pool.submit(slow_lf_only, port),
            "idle": pool.submit(slow_idle_tls, port),
            "tcp": pool.submit(slow_raw_tcp, port)}
    home, entries = test_home(port)
    test_articles(port, binary, capsule, sources, entries)
    test_atom(port, entries)
    test_routes(port, files)
    test_bad_requests(port, home)
    test_tls(port, home)
    der = test_certificate(port, server, certdir)
    test_client_cert(port, tmp, home)
    test_concurrency(port, home)
    test_plain_tcp(port)
    test_ipv6(port, home)
    test_listen_v6(binary, capsule, certdir, tmp, home)
    test_access_log(server, port, files)
    check_slow(futs)
    pool.shutdown()
    second_start(binary, capsule, certdir, der)
    # every connection is closed: one last request, logged, then stop
    gem(port, "/last-request")
    server.wait_line(lambda l: b"last-request" in l, 5)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                             else "./capsuled")
    repo = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="capsuled-gemini-tmp-")
    capsule, files, sources = build_capsule(repo)
    certdir = tempfile.mkdtemp(prefix="capsuled-gemini-certs-")
    os.rmdir(certdir)   # a fresh one: capsuled creates it
    server = gemini_server(binary, capsule, certdir)
    try:
        port = start(server)
        if T.check("start: listening line", port is not None,
                   "capsuled: listening gemini 0.0.0.0:PORT within "
                   "%d s" % START_TIMEOUT,
                   server.text().decode("utf-8", "replace")[-600:]):
            run_all(server, port, binary, capsule, files, sources, certdir,
                    tmp)
    finally:
        rc = server.stop(STOP_TIMEOUT)
        T.check("SIGTERM: exit status 0 within %d s" % STOP_TIMEOUT,
                rc == 0, 0, "%s; stderr tail %r" % (rc, server.text()[-600:]))
        text = server.text()
        T.check("stderr: no raw ESC byte", b"\x1b" not in text, "none",
                text[max(0, text.find(b"\x1b") - 100):text.find(b"\x1b")
                     + 50] if b"\x1b" in text else "")
        sanitizer_check("server", text)
        for d in (capsule, tmp, certdir):
            shutil.rmtree(d, ignore_errors=True)
    elapsed = time.monotonic() - T0
    T.check("whole run < 60 s", elapsed < 60, "< 60 s", "%.1f s" % elapsed)
    print("%d passed, %d failed" % (T.passed, T.failed), flush=True)
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
