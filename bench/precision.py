#!/usr/bin/env python3
"""precision.py - precision@5 of the similar-article lists as capsuled
serves them, against the articles' topics.

    bench/precision.py [--bin ./capsuled] CAPSULE_DIR [TOPICS]

TOPICS is a gen-capsule manifest (name TAB topic TAB title) or the
corpus README (its section 7.5 table); by default CAPSULE_DIR/../README.md.
Starts capsuled on the capsule (ephemeral ports), asks each article's
file name (/NAME.txt answers 31 with its address), fetches the article
over Gemini, reads its "## Similar articles" section (what a reader
sees: after excluding the article itself and its related articles) and
counts the listed articles that share its topic.  Then searches a
distinctive phrase (the three words in a row found in fewest articles)
of each of 100 articles and reports how often the article is the first
hit.  Prints the figures and the time taken.
"""
import argparse, concurrent.futures, os, random, re, shutil, signal, socket
import ssl, subprocess, sys, tempfile, threading, time
from urllib.parse import quote

CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


def topics_of(path):
    topics = {}
    readme = in75 = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                readme = True
                in75 = line.startswith("### 7.5")
                continue
            if readme:
                cells = line.split("|")
                if in75 and len(cells) == 6:
                    topics[cells[1].strip()] = cells[4].strip()
            elif "\t" in line:
                name, topic = line.rstrip("\n").split("\t")[:2]
                topics[name.strip()] = topic.strip()
    return topics


def paragraphs(text):
    """The paragraphs of an article's source: not its front matter, title
    or related entries (title, summary, READ MORE)."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1) if "---" in lines[1:] else 0
        lines = lines[end + 1:]
    lines = lines[1:]
    while len(lines) >= 3 and lines[-1].strip() == "READ MORE":
        lines = lines[:-3]
    return lines


def gem(port, path, timeout=120):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        with CTX.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(b"gemini://localhost%s\r\n" % path.encode())
            data = b""
            while True:
                d = t.recv(65536)
                if not d:
                    break
                data += d
    head, _, body = data.partition(b"\r\n")
    return head.decode("utf-8", "replace"), body.decode("utf-8", "replace")


def start(binary, capsule):
    certs = tempfile.mkdtemp()
    p = subprocess.Popen([binary, "-g", "0", "-p", "0", "-d", capsule, "-C",
                          certs, "-T", "60"], stderr=subprocess.PIPE,
                         text=True)
    port = None
    for line in p.stderr:
        m = re.search(r"listening gemini 0\.0\.0\.0:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    threading.Thread(target=lambda: [None for _ in p.stderr],
                     daemon=True).start()
    return p, port, certs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="./capsuled")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--search-only", action="store_true",
                    help="skip the similar lists (for large capsules)")
    ap.add_argument("capsule")
    ap.add_argument("topics", nargs="?")
    a = ap.parse_args()
    tpath = a.topics or os.path.join(a.capsule, "..", "README.md")
    topics = topics_of(tpath)
    names = sorted(n for n in os.listdir(a.capsule) if n.endswith(".txt")
                   and n in topics)
    if not names:
        sys.exit("no article of %s has a topic in %s" % (a.capsule, tpath))
    t0 = time.monotonic()
    p, port, certs = start(a.bin, a.capsule)
    try:
        gem(port, "/")          # waits until the capsule is indexed
        ready = time.monotonic() - t0

        def slug_of(name):
            head, _ = gem(port, "/" + quote(name))
            m = re.match(r"31 gemini://[^/]+(/articles/\S+\.gmi)$", head)
            return name, m.group(1) if m else None

        rnd = random.Random(1)
        sample = rnd.sample(names, min(20000, len(names)))
        path = {}
        if not a.search_only:
            with concurrent.futures.ThreadPoolExecutor(4) as ex:
                path = dict(ex.map(slug_of, names))
        by_path = {v: k for k, v in path.items() if v}
        print("%s: %d articles with a topic, served %.1f s after start"
              % (a.capsule, len(names), ready))
        if not a.search_only:
            similar_lists(port, names, path, by_path, topics)

        search(port, a.capsule, sample,
               lambda n: path.get(n) or slug_of(n)[1], a.queries, p.pid)
        print("  (%.1f s in all)" % (time.monotonic() - t0))
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        shutil.rmtree(certs, ignore_errors=True)


def similar_lists(port, names, path, by_path, topics):
    def similar(name):
        head, body = gem(port, path[name])
        part = body.split("\n## Similar articles\n", 1)
        links = re.findall(r"^=> (/articles/\S+\.gmi) ", part[1], re.M) \
            if len(part) == 2 else []
        return name, links

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        lists = dict(ex.map(similar, [n for n in names if path[n]]))
    listed = same = full = 0
    for name, links in lists.items():
        full += len(links) == 5
        for l in links:
            listed += 1
            same += topics.get(by_path.get(l)) == topics[name]
    print("  similar lists as served: %d of %d full; precision@5 %.4f "
          "(%d of %d listed share the topic)" % (full, len(lists),
          same / listed if listed else 0, same, listed))



def cpu_of(pid):
    """CPU seconds of a process and its children (the serving process)."""
    total = 0.0
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")
    except OSError:
        return 0.0
    return total + sum(cpu_of(k) for k in kids)


def search(port, capsule, sample, path, queries, pid):
    # a distinctive phrase: the 3 words in a row of the article that
    # are in the fewest articles (document frequencies of a sample)
    rnd = random.Random(2)
    df = {}
    text = {}
    times = []
    for name in sample:
        with open(os.path.join(capsule, name), encoding="utf-8",
                  errors="replace") as f:
            text[name] = f.read()
        for w in set(re.findall(r"\w+", text[name].lower())):
            df[w] = df.get(w, 0) + 1
    first = tried = 0
    phrases = []
    for name in rnd.sample(sorted(text), min(queries, len(text))):
        best = None
        for line in paragraphs(text[name]):
            words = line.split()
            for i in range(len(words) - 2):
                ws = re.findall(r"\w+", " ".join(words[i:i + 3]).lower())
                if len(ws) != 3:
                    continue
                cost = sum(df.get(w, 1) for w in ws)
                if best is None or cost < best[0]:
                    best = (cost, " ".join(words[i:i + 3]))
        if best is None:
            continue
        t = time.monotonic()
        _, body = gem(port, "/search?" + quote(best[1]))
        times.append(time.monotonic() - t)
        hits = re.findall(r"^=> (/articles/\S+\.gmi) ", body, re.M)
        tried += 1
        first += bool(hits) and hits[0] == path(name)
        phrases.append(best[1])
    print("  search, a distinctive 3-word phrase of %d articles: the "
          "article first %d (%.0f%%)" % (tried, first,
          100.0 * first / tried if tried else 0))
    percentiles("a search over Gemini, TLS handshake included, alone",
                times)

    # the same searches, CLIENTS at a time, PASSES times over
    def timed(q):
        t = time.monotonic()
        gem(port, "/search?" + quote(q))
        return time.monotonic() - t
    c0 = cpu_of(pid)
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as ex:
        times = list(ex.map(timed, phrases * PASSES))
    percentiles("%d clients at once" % CLIENTS, times)
    if times:
        print("  server CPU per search, TLS included: %.2f ms" %
              ((cpu_of(pid) - c0) * 1e3 / len(times)))


CLIENTS = 4
PASSES = 5


def percentiles(what, times):
    times = sorted(times)
    if times:
        print("  %s: p50 %.1f ms, p99 %.1f ms (%d searches)" % (what,
              times[len(times) // 2] * 1e3,
              times[min(len(times) - 1, len(times) * 99 // 100)] * 1e3,
              len(times)))


if __name__ == "__main__":
    main()
