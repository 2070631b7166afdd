#!/usr/bin/env node
// Independent consumer check of the `dag` DOT and Mermaid exports (Graph::to_dot/to_mermaid).
//
// For each case NAME in the given dirs (NAME.json, written by tests/core_exports.rs, holds the
// DAG's name, its node names and its edges as [from, to] node indices), checks that:
//   * Graphviz (`dot -Tsvg NAME.dot`) exits 0 with nothing on stderr, and its SVG is
//     well-formed XML with exactly one node per name (titled n0, n1, ...) and exactly the edges;
//     each node shows its name (see `shown` below) as its text lines;
//   * Mermaid 11 (`mermaid.parse`, then the flowchart it builds) accepts NAME.mmd, with exactly
//     one vertex per name, exactly the edges, and each vertex's label decoding (Mermaid's
//     entity codes, then HTML with <br> as a line break) to the name as shown.
// Prints one OK line per case; exits 1 with a FAIL line otherwise, 2 on bad usage.
//
// Usage: node ci/check_exports.mjs [--mermaid-dir DIR] [--dot PATH] EXPORTS_DIR...
//   DIR is where ci/install_mermaid.sh installed mermaid and jsdom (default: $MERMAID_DIR,
//   else normal module resolution from this file); PATH is Graphviz's dot (default: dot).

import fs from 'node:fs';
import path from 'node:path';
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

function usage(msg) {
  console.error(`check_exports: ${msg}`);
  console.error('usage: node check_exports.mjs [--mermaid-dir DIR] [--dot PATH] EXPORTS_DIR...');
  process.exit(2);
}

const args = process.argv.slice(2);
let mermaidDir = process.env.MERMAID_DIR || null;
let dotPath = 'dot';
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--mermaid-dir') {
    mermaidDir = args[++i] ?? usage('--mermaid-dir needs a value');
  } else if (args[i] === '--dot') {
    dotPath = args[++i] ?? usage('--dot needs a value');
  } else if (args[i] === '-h' || args[i] === '--help') {
    usage('help');
  } else {
    dirs.push(args[i]);
  }
}
if (dirs.length === 0) usage('no exports dir given');

// Mermaid needs a DOM (DOMPurify) even to parse: jsdom provides one.
let mermaid;
let JSDOM;
try {
  const base = mermaidDir ? path.resolve(mermaidDir, 'node_modules') + '/' : null;
  const load = (name, file) => import(base ? pathToFileURL(base + file).href : name);
  const require = createRequire(base ? base : import.meta.url);
  ({JSDOM} = require(base ? base + 'jsdom' : 'jsdom'));
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  ({default: mermaid} = await load('mermaid', 'mermaid/dist/mermaid.core.mjs'));
} catch (e) {
  console.error(`FAIL: cannot load mermaid/jsdom (${mermaidDir ? `from ${mermaidDir}` : 'no --mermaid-dir'}): ${e.message}`);
  console.error('      install them with: bash ci/install_mermaid.sh DIR');
  process.exit(1);
}

class CheckError extends Error {}
const fail = (msg) => {
  throw new CheckError(msg);
};
const show = (s) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…(${s.length} chars)` : s);

/** A name as the exports document showing it: control characters other than a newline, and
 * U+FFFE/U+FFFF, as their Rust escape (`\0`, `\t`, `\r`, `\u{1b}`). */
function shown(name) {
  let out = '';
  for (const c of name) {
    const cp = c.codePointAt(0);
    const control = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
    if (c !== '\n' && (control || cp === 0xfffe || cp === 0xffff)) {
      out += {'\0': '\\0', '\t': '\\t', '\r': '\\r'}[c] ?? `\\u{${cp.toString(16)}}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Text lines as a reader sees them: no-break spaces as spaces, empty lines dropped (Graphviz
 * draws nothing for them). */
const lines = (texts) => texts.map((t) => t.replace(/\u00a0/g, ' ')).filter((t) => t !== '');

function readCase(dir, name) {
  const file = (ext) => path.join(dir, `${name}.${ext}`);
  let want;
  try {
    want = JSON.parse(fs.readFileSync(file('json'), 'utf8'));
  } catch (e) {
    fail(`${file('json')} is not readable JSON: ${e.message}`);
  }
  if (!Array.isArray(want.nodes) || !Array.isArray(want.edges)) fail(`${file('json')} has no nodes/edges`);
  const edges = want.edges.map(([a, b]) => `n${a}->n${b}`).sort();
  return {file, nodes: want.nodes, edges};
}

function sameEdges(tool, got, want) {
  got.sort();
  if (got.join(' ') !== want.join(' ')) fail(`${tool} edges [${got.join(' ')}] != expected [${want.join(' ')}]`);
}

function checkDot({file, nodes, edges}) {
  const run = spawnSync(dotPath, ['-Tsvg', file('dot')], {encoding: 'utf8', maxBuffer: 1 << 28});
  if (run.error) fail(`cannot run ${dotPath}: ${run.error.message} (install Graphviz: apt-get install -y graphviz)`);
  if (run.status !== 0) fail(`dot exited ${run.status}: ${run.stderr.trim()}`);
  if (run.stderr.trim()) fail(`dot warned: ${run.stderr.trim()}`);
  const doc = new window.DOMParser().parseFromString(run.stdout, 'image/svg+xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  if (err) fail(`dot's SVG is not well-formed XML: ${err.textContent.slice(0, 200)}`);
  const svgNodes = [...doc.querySelectorAll('g.node')];
  if (svgNodes.length !== nodes.length) fail(`dot drew ${svgNodes.length} nodes, expected ${nodes.length}`);
  const byId = new Map(svgNodes.map((g) => [g.querySelector('title')?.textContent, g]));
  nodes.forEach((name, i) => {
    const g = byId.get(`n${i}`) ?? fail(`dot has no node n${i} (${show(name)})`);
    const got = lines([...g.querySelectorAll('text')].map((t) => t.textContent));
    const want = lines(shown(name).split('\n'));
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      fail(`dot shows node n${i} as ${show(got.join('\n'))}, expected ${show(want.join('\n'))}`);
    }
  });
  sameEdges('dot', [...doc.querySelectorAll('g.edge > title')].map((t) => t.textContent), edges);
}

/** A Mermaid label as the page shows it: Mermaid's entity codes (kept as placeholders by its
 * parser) back to HTML entities, then the HTML decoded, `<br>` as a line break. */
function mermaidText(label) {
  const html = label.replaceAll('ﬂ°°', '&#').replaceAll('ﬂ°', '&').replaceAll('¶ß', ';');
  const div = document.createElement('div');
  div.innerHTML = html;
  let out = '';
  for (const node of div.childNodes) {
    if (node.nodeType === 3) out += node.data;
    else if (node.nodeName === 'BR') out += '\n';
    else fail(`a Mermaid label holds markup <${node.nodeName.toLowerCase()}>: ${show(label)}`);
  }
  return out;
}

async function checkMermaid({file, nodes, edges}) {
  const text = fs.readFileSync(file('mmd'), 'utf8');
  try {
    await mermaid.parse(text);
  } catch (e) {
    fail(`mermaid.parse rejected it: ${e.message.split('\n').join(' | ')}`);
  }
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  if (!diagram.type.startsWith('flowchart')) fail(`mermaid read a ${diagram.type}, not a flowchart`);
  const vertices = diagram.db.getVertices();
  const byId = vertices instanceof Map ? vertices : new Map(Object.entries(vertices));
  if (byId.size !== nodes.length) fail(`mermaid has ${byId.size} vertices, expected ${nodes.length}`);
  nodes.forEach((name, i) => {
    const v = byId.get(`n${i}`) ?? fail(`mermaid has no vertex n${i} (${show(name)})`);
    // Mermaid trims a label, and HTML collapses the spaces around it anyway.
    const got = mermaidText(v.text).trim();
    const want = shown(name).trim();
    if (got !== want) fail(`mermaid shows vertex n${i} as ${show(got)}, expected ${show(want)}`);
  });
  sameEdges('mermaid', diagram.db.getEdges().map((e) => `${e.start}->${e.end}`), edges);
}

const cases = [];
for (const dir of dirs) {
  let files;
  try {
    files = fs.readdirSync(dir);
  } catch (e) {
    usage(`cannot read ${dir}: ${e.message}`);
  }
  for (const f of files.filter((f) => f.endsWith('.json')).sort()) cases.push([dir, f.slice(0, -5)]);
}
if (cases.length === 0) usage(`no NAME.json in ${dirs.join(', ')}`);

let failed = 0;
for (const [dir, name] of cases) {
  const label = path.join(dir, name);
  try {
    const c = readCase(dir, name);
    checkDot(c);
    await checkMermaid(c);
    console.log(`OK ${label}: dot and mermaid accept ${c.nodes.length} nodes and ${c.edges.length} edges, every name shown as documented`);
  } catch (e) {
    failed++;
    console.error(`FAIL ${label}: ${e instanceof CheckError ? e.message : e.stack ?? e}`);
  }
}
process.exit(failed ? 1 : 0);
