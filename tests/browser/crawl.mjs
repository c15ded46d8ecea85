// crawl.mjs BIN SHOTDIR: the HTML mirror in a real browser.
//
// Debian's chromium, driven by playwright-core (never a downloaded
// browser), on two capsules served by BIN on ephemeral loopback ports:
// the sample capsule (capsule/) and one generated here (articles that
// name each other as related, enough for two list pages at a home limit
// of 10, and hostile ones).  From the home page every link on this host
// is followed (articles, related, similar, list pages, the feed), and
// the search form is filled in and sent.  Each page: its status, an
// <h1>, no console error, no CSP violation, no request to another
// origin, no dialog (a script that ran).  axe-core finds no violation of
// impact "serious" or "critical" on the home page, an article and a
// search result page, in the light and the dark scheme.  Screenshots of
// the home page and an article at a phone's and a desktop's width go to
// SHOTDIR.  The last line is "N passed, N failed".

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const [binary, shots] = process.argv.slice(2);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname),
  '..', '..');

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; return true; }
  failed++;
  console.log(`FAIL ${name}${detail !== undefined ? ': ' +
    String(typeof detail === 'string' ? detail : JSON.stringify(detail))
      .slice(0, 600) : ''}`);
  return false;
}

const temps = [];
function tmpdir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);	// the serving process runs as nobody
  temps.push(d);
  return d;
}

// A capsule of n articles about overlapping topics, each naming the next
// as related, and the hostile ones.
function generated() {
  const d = tmpdir('capsuled-browser-');
  const topics = ['bread', 'soup', 'garden', 'bicycle', 'radio', 'tea'];
  const words = ['slow', 'warm', 'small', 'early', 'quiet', 'bright'];
  const title = (i) => `${words[i % 6]} ${topics[i % 6]} notes ${i}`
    .replace(/^./, (c) => c.toUpperCase());
  const n = 24;
  for (let i = 0; i < n; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const body = [`---`, `date: 2026-0${1 + (i % 9)}-${day}`, `---`, title(i),
      `A ${words[i % 6]} note about ${topics[i % 6]} and ` +
      `${topics[(i + 1) % 6]}, number ${i}: see gemini://example.org/${i} ` +
      `and https://example.org/${i} for more.`,
      `The ${topics[i % 6]} was ${words[(i + 2) % 6]} today.`,
      title((i + 1) % n), 'The next note.', 'READ MORE'];
    fs.writeFileSync(path.join(d, `${String(i).padStart(2, '0')}.txt`),
      body.join('\n') + '\n');
  }
  const hostile = {
    'h1.txt': '<script>alert(1)</script>\n\nA title that is a script.\n',
    'h2.txt': '"><img src=x onerror=alert(1)>\n\nAn attribute break: ' +
      '\u202ereversed\u2066 text.\n',
    'h3.txt': 'Long Attribute\n\n<a title="' + 'A'.repeat(8192) +
      '">an 8 KB attribute</a>.\n',
    'h4.txt': 'Schemes\n\njavascript:alert(1) data:text/html,<script>' +
      'alert(1)</script> http://a.example/"onmouseover=alert(1)\n',
  };
  for (const [name, text] of Object.entries(hostile))
    fs.writeFileSync(path.join(d, name), text);
  fs.writeFileSync(path.join(d, 'index.gmi'),
    '# Generated\n\nNotes, generated for the browser test.\n');
  for (const f of fs.readdirSync(d))
    fs.chmodSync(path.join(d, f), 0o644);
  return d;
}

// BIN serving dir; resolves to { proc, base } once it listens.
function serve(dir, conf) {
  const args = ['-g', '0', '-p', '0', '-w', '0', '-d', dir,
    '-C', tmpdir('capsuled-browser-certs-'), '-T', '5'];
  if (conf !== undefined) {
    const c = path.join(tmpdir('capsuled-browser-conf-'), 'capsuled.conf');
    fs.writeFileSync(c, conf);
    fs.chmodSync(c, 0o644);
    args.unshift('-c', c);
  }
  const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('no listening line: ' +
      err.slice(-500))), 10000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/listening http 0\.0\.0\.0:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://localhost:${m[1]}`, log: () => err });
      }
    });
    proc.on('exit', (code) => reject(new Error(`exited ${code}: ` +
      err.slice(-500))));
  });
}

// A page with every listener a test needs.
async function watched(context, origin) {
  const page = await context.newPage();
  const w = { console: [], foreign: [], dialogs: [], page };
  page.on('console', (m) => { if (m.type() === 'error') w.console.push(m.text()); });
  page.on('pageerror', (e) => w.console.push(String(e)));
  page.on('dialog', (d) => { w.dialogs.push(d.message()); d.dismiss(); });
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== origin) w.foreign.push(r.url());
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  return w;
}

async function visit(w, url, what) {
  w.console.length = 0;
  const resp = await w.page.goto(url, { waitUntil: 'load', timeout: 10000 });
  const status = resp ? resp.status() : 0;
  check(`${what}: 200`, status === 200, `${status} ${url}`);
  const csp = await w.page.evaluate(() => window.__csp || []);
  check(`${what}: no CSP violation`, csp.length === 0, csp);
  check(`${what}: no console error`, w.console.length === 0, w.console);
  return status;
}

async function h1(w, what) {
  const t = await w.page.locator('h1').allTextContents();
  check(`${what}: one <h1>`, t.length === 1 && t[0].trim() !== '', t);
}

async function axe(w, what) {
  for (const scheme of ['light', 'dark']) {
    await w.page.emulateMedia({ colorScheme: scheme });
    await w.page.evaluate(AXE);
    const r = await w.page.evaluate(() => window.axe.run(document,
      { resultTypes: ['violations'] }));
    const bad = r.violations.filter((v) => v.impact === 'serious' ||
      v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
    check(`axe ${what} (${scheme}): nothing serious or critical`,
      bad.length === 0, bad);
  }
  await w.page.emulateMedia({ colorScheme: 'light' });
}

// Every link on this host from the home page; the article addresses.
async function crawl(w, base, name) {
  const todo = [base + '/'], seen = new Set(), articles = new Set();
  while (todo.length > 0 && seen.size < 300) {
    const url = todo.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const p = new URL(url).pathname;
    const status = await visit(w, url, `${name} ${p}`);
    if (status !== 200 || p === '/atom.xml') continue;
    await h1(w, `${name} ${p}`);
    if (/^\/articles\/(?!page\/).*\.html$/.test(p)) articles.add(p);
    const hrefs = await w.page.$$eval('a[href]', (as) => as.map((a) => a.href));
    for (const h of hrefs) {
      const u = new URL(h);
      if (u.origin === base && !seen.has(u.href)) todo.push(u.href);
    }
  }
  return articles;
}

async function search(w, base, name, word) {
  await visit(w, base + '/', `${name} home before searching`);
  await w.page.fill('input[name=q]', word);
  const [resp] = await Promise.all([
    w.page.waitForNavigation({ timeout: 10000 }),
    w.page.click('button[type=submit]'),
  ]);
  const u = new URL(w.page.url());
  check(`${name} search form: 200 at /search?q=`, resp && resp.status() ===
    200 && u.pathname === '/search' && u.searchParams.get('q') === word,
    w.page.url());
  const t = await w.page.locator('h1').textContent();
  check(`${name} search: its <h1>`, t === `Search: ${word}`, t);
  const hits = await w.page.$$eval('main a[href^="/articles/"]',
    (as) => as.length);
  check(`${name} search: results`, hits > 0, hits);
}

async function shoot(context, url, file) {
  for (const [label, viewport] of [['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 900 }]]) {
    const p = await context.newPage({ viewport });
    await p.setViewportSize(viewport);
    await p.goto(url, { waitUntil: 'load' });
    const out = path.join(shots, `${file}-${label}.png`);
    await p.screenshot({ path: out, fullPage: true });
    check(`screenshot ${file}-${label}`, fs.statSync(out).size > 1000, out);
    const overflow = await p.evaluate(() =>
      document.documentElement.scrollWidth > window.innerWidth + 1);
    check(`${file} at ${label} width: no horizontal scrolling`, !overflow);
    await p.close();
  }
}

async function run(browser, dir, name, conf, word, expect) {
  const s = await serve(dir, conf);
  const context = await browser.newContext();
  try {
    const w = await watched(context, s.base);
    const articles = await crawl(w, s.base, name);
    check(`${name}: the crawl reached every article`,
      articles.size === expect, [...articles].length);
    check(`${name}: no request to another origin`, w.foreign.length === 0,
      w.foreign);
    check(`${name}: no dialog (no script ran)`, w.dialogs.length === 0,
      w.dialogs);
    await search(w, s.base, name, word);
    const first = [...articles].sort()[0];
    await visit(w, s.base + '/', `${name} home for axe`);
    await axe(w, `${name} home`);
    await visit(w, s.base + first, `${name} article for axe`);
    await axe(w, `${name} article`);
    await visit(w, `${s.base}/search?q=${word}`, `${name} search for axe`);
    await axe(w, `${name} search`);
    await shoot(context, s.base + '/', `${name}-home`);
    await shoot(context, s.base + first, `${name}-article`);
    check(`${name}: no dialog after all`, w.dialogs.length === 0, w.dialogs);
  } finally {
    await context.close();
    s.proc.kill('SIGTERM');
  }
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const sample = tmpdir('capsuled-browser-sample-');
  for (const f of fs.readdirSync(path.join(ROOT, 'capsule'))) {
    const src = path.join(ROOT, 'capsule', f);
    if (fs.statSync(src).isFile()) {
      fs.copyFileSync(src, path.join(sample, f));
      fs.chmodSync(path.join(sample, f), 0o644);
    }
  }
  const nsample = fs.readdirSync(sample).filter((f) => /\.txt$/.test(f) &&
    !/^(robots|favicon|security)\.txt$/.test(f)).length;
  const browser = await chromium.launch({ executablePath: CHROMIUM,
    headless: true, args: FLAGS });
  try {
    await run(browser, sample, 'sample', undefined, 'gemini', nsample);
    await run(browser, generated(), 'generated', 'home-limit 10\n', 'bread',
      28);
  } finally {
    await browser.close();
  }
}

const watchdog = setTimeout(() => {
  check('watchdog: the run finishes within 120 s', false);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}, 120000);
main().catch((e) => check('run', false, e.stack || String(e))).finally(() => {
  clearTimeout(watchdog);
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
