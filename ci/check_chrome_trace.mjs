#!/usr/bin/env node
// Independent consumer check of the `dag` Chrome trace export.
//
// Loads each given Chrome trace JSON file with the DevTools trace engine
// (@paulirish/trace_engine, `analyzeTrace`) and asserts that:
//   * the engine parses it without throwing, logging errors or reporting warnings;
//   * every lane (thread_name metadata event) of the file is known to the engine
//     under the same name;
//   * every lane holding slices or instants shows up among the engine's threads
//     with exactly the file's slices (name, ts, dur) and instant count;
//   * the engine's trace bounds cover every event (nothing cut off).
// Prints one OK line per file; exits 1 with a FAIL line otherwise, 2 on bad usage.
//
// Usage: node ci/check_chrome_trace.mjs [--engine-dir DIR] TRACE.json...
//   DIR is where ci/install_trace_engine.sh installed the engine
//   (default: $TRACE_ENGINE_DIR, else normal module resolution from this file).

import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

function usage(msg) {
  console.error(`check_chrome_trace: ${msg}`);
  console.error('usage: node check_chrome_trace.mjs [--engine-dir DIR] TRACE.json...');
  process.exit(2);
}

const args = process.argv.slice(2);
let engineDir = process.env.TRACE_ENGINE_DIR || null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--engine-dir') {
    engineDir = args[++i] ?? usage('--engine-dir needs a value');
  } else if (args[i] === '-h' || args[i] === '--help') {
    usage('help');
  } else {
    files.push(args[i]);
  }
}
if (files.length === 0) usage('no trace file given');

const ENGINE = '@paulirish/trace_engine/analyze-trace.mjs';
let analyzeTrace;
try {
  const spec = engineDir ? pathToFileURL(path.resolve(engineDir, 'node_modules', ENGINE)).href : ENGINE;
  ({analyzeTrace} = await import(spec));
} catch (e) {
  console.error(`FAIL: cannot load the trace engine (${engineDir ? `from ${engineDir}` : 'no --engine-dir'}): ${e.message}`);
  console.error('      install it with: bash ci/install_trace_engine.sh DIR');
  process.exit(1);
}

class CheckError extends Error {}
const fail = (msg) => {
  throw new CheckError(msg);
};
const key = (pid, tid) => `${pid}/${tid}`;

/** What the file itself says: lanes, and per lane its slices and instants. */
function readFile(file) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`not a readable JSON file: ${e.message}`);
  }
  const events = Array.isArray(doc) ? doc : doc?.traceEvents;
  if (!Array.isArray(events)) fail('no traceEvents array');
  const lanes = new Map(); // key -> {pid, tid, name, slices: [], instants: 0}
  const lane = (e) => {
    const k = key(e.pid, e.tid);
    if (!lanes.has(k)) lanes.set(k, {pid: e.pid, tid: e.tid, name: null, slices: [], instants: 0});
    return lanes.get(k);
  };
  let min = Infinity;
  let max = -Infinity;
  for (const e of events) {
    if (e.ph === 'M') {
      if (e.name === 'thread_name') lane(e).name = e.args?.name;
      continue;
    }
    if (e.ph === 'X') lane(e).slices.push({name: e.name, ts: e.ts, dur: e.dur});
    if (e.ph === 'I' || e.ph === 'i') lane(e).instants++;
    if (['X', 'I', 'i', 'B', 'E'].includes(e.ph)) {
      min = Math.min(min, e.ts);
      max = Math.max(max, e.ts + (e.dur ?? 0));
    }
  }
  for (const l of lanes.values()) {
    if (l.name == null) fail(`lane pid ${l.pid} tid ${l.tid} has events but no thread_name`);
  }
  return {events, lanes, min, max};
}

async function check(file) {
  const {events, lanes, min, max} = readFile(file);

  // The engine reports problems on the console rather than by throwing.
  const complaints = [];
  const saved = {error: console.error, warn: console.warn};
  console.error = (...a) => complaints.push(a.join(' '));
  console.warn = (...a) => complaints.push(a.join(' '));
  let parsedTrace;
  try {
    ({parsedTrace} = await analyzeTrace(file));
  } catch (e) {
    fail(`trace engine rejected the file: ${e.stack ?? e}`);
  } finally {
    Object.assign(console, saved);
  }
  if (complaints.length) fail(`trace engine complained: ${complaints.join(' | ')}`);
  const data = parsedTrace?.data;
  if (!data?.Meta || !data?.Renderer) fail('trace engine returned no Meta/Renderer data');
  const warnings = data.Warnings?.perWarning;
  if (warnings?.size) fail(`trace engine warnings: ${[...warnings.keys()].join(', ')}`);

  // Every lane is known to the engine under its name.
  const engineThreads = new Map(); // key -> {name, entries}
  for (const [pid, threads] of data.Meta.threadsInProcess) {
    for (const [tid, ev] of threads) engineThreads.set(key(pid, tid), {name: ev.args?.name, entries: null});
  }
  for (const [pid, proc] of data.Renderer.processes) {
    for (const [tid, thread] of proc.threads) {
      const k = key(pid, tid);
      engineThreads.set(k, {name: thread.name ?? engineThreads.get(k)?.name, entries: thread.entries});
    }
  }
  let slices = 0;
  let instants = 0;
  for (const [k, l] of lanes) {
    const t = engineThreads.get(k);
    if (!t) fail(`lane "${l.name}" (pid ${l.pid} tid ${l.tid}) is missing from the engine's threads`);
    if (t.name !== l.name) fail(`lane tid ${l.tid} is "${l.name}" in the file but "${t.name}" in the engine`);
    if (l.slices.length + l.instants === 0) continue;
    if (!t.entries) fail(`lane "${l.name}" has ${l.slices.length} slices and ${l.instants} instants, the engine none`);
    const got = t.entries.filter((e) => e.ph === 'X').map((e) => `${e.name}@${e.ts}+${e.dur}`).sort();
    const want = l.slices.map((s) => `${s.name}@${s.ts}+${s.dur}`).sort();
    if (got.join('\n') !== want.join('\n')) {
      fail(`lane "${l.name}": engine slices [${got.join(', ')}] != file slices [${want.join(', ')}]`);
    }
    const gotInstants = t.entries.filter((e) => e.ph === 'I' || e.ph === 'i').length;
    if (gotInstants !== l.instants) fail(`lane "${l.name}": engine has ${gotInstants} instants, file ${l.instants}`);
    slices += l.slices.length;
    instants += l.instants;
  }

  const b = data.Meta.traceBounds;
  if (Number.isFinite(min) && (b.min > min || b.max < max)) {
    fail(`engine trace bounds [${b.min}, ${b.max}] µs do not cover the events [${min}, ${max}] µs`);
  }
  const process = data.Meta.processNames?.get?.(1)?.args?.name;
  console.log(
      `OK ${file}: ${events.length} events, ${lanes.size} lanes, ${slices} slices, ${instants} instants, ` +
      `bounds ${b.min}-${b.max} µs${process ? `, process "${process}"` : ''}`);
}

let failed = 0;
for (const file of files) {
  try {
    await check(file);
  } catch (e) {
    failed++;
    console.error(`FAIL ${file}: ${e instanceof CheckError ? e.message : e.stack ?? e}`);
  }
}
process.exit(failed ? 1 : 0);
