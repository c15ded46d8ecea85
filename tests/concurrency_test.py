#!/usr/bin/env python3
"""concurrency_test.py BIN: many parallel clients on both protocols; every
response must be byte-identical to the one a single client gets.

Starts the real server (-g 0 -p 0, two workers) on the sample capsule,
fetches each page once alone, then fetches all of them from 64 threads
at once, several times over, and compares.  Ends with "N passed, N failed".
"""
import os, re, shutil, signal, socket, ssl, subprocess, sys, tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

BIN = sys.argv[1] if len(sys.argv) > 1 else "./capsuled"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def gemini(port, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(b"gemini://localhost%s\r\n" % path.encode())
            data = b""
            while True:
                d = t.recv(65536)
                if not d:
                    return data
                data += d


def gopher(port, sel):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(sel.encode() + b"\r\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                return data
            data += d


def main():
    tmp = tempfile.mkdtemp(prefix="capsuled-conc-")
    cap = os.path.join(tmp, "capsule")
    shutil.copytree("capsule", cap)
    with open(os.path.join(cap, "big.bin"), "wb") as f:
        f.write(os.urandom(300000))
    os.chmod(tmp, 0o755)
    for root, dirs, files in os.walk(tmp):
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o755)
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write("workers 2\nhost localhost\ncapsule %s\ncerts %s\n"
                % (cap, os.path.join(tmp, "certs")))
    p = subprocess.Popen([BIN, "-c", conf, "-g", "0", "-p", "0"],
                         stderr=subprocess.PIPE)
    lines = []
    ports = {}
    for line in p.stderr:
        lines.append(line)
        m = re.search(rb"listening (gemini|gopher) 0\.0\.0\.0:(\d+)", line)
        if m:
            ports[m.group(1)] = int(m.group(2))
        if len(ports) == 2:
            break
    threading.Thread(target=lambda: lines.extend(p.stderr),
                     daemon=True).start()
    try:
        home = gemini(ports[b"gemini"], "/").decode()
        paths = ["/", "/atom.xml", "/big.bin"] + re.findall(
            r"^=> (/articles/\S+\.gmi)", home, re.M)
        root = gopher(ports[b"gopher"], "").decode()
        sels = ["", "/caps.txt"] + re.findall(r"\t(/articles/[^\t]+)\t", root)
        sels += [s.rstrip("/") + ".txt" for s in sels if s.endswith("/")
                 and s.startswith("/articles/")]
        want = {("g", x): gemini(ports[b"gemini"], x) for x in paths}
        want.update({("o", x): gopher(ports[b"gopher"], x) for x in sels})
        jobs = list(want) * 8

        def run(job):
            kind, x = job
            return job, (gemini(ports[b"gemini"], x) if kind == "g"
                         else gopher(ports[b"gopher"], x))
        with ThreadPoolExecutor(64) as ex:
            results = list(ex.map(run, jobs))
        bad = [j for j, body in results if body != want[j]]
        check("%d parallel responses identical to the single-client ones"
              % len(results), not bad, bad[:5])
        check("every page was fetched", len(results) == len(jobs))
        check("gemini pages look right", all(want[("g", x)].startswith(b"20 ")
                                             for x in paths))
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(40)
        check("SIGTERM exits 0", rc == 0, rc)
        text = b"".join(lines)
        check("no sanitizer report", not re.search(
            rb"ERROR: (Address|Leak)Sanitizer|runtime error", text))
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
