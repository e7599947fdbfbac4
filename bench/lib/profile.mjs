// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by
// area (Node internals, each package, each folder of Tollgate's src/), and inclusive time of
// Tollgate's own functions. Runs standalone too: node bench/lib/profile.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 14);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function area(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const src = /\/src\/([^/]+)\//.exec(url);
  if (src) return `tollgate src/${src[1]}`;
  if (url.includes('/src/')) return 'tollgate src';
  return shortUrl(url);
}

const label = (f) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

export function summarizeProfile(path, top = 20) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Each sample's weight is its time delta (µs); idle samples are left out of the totals.
  const self = new Map();
  const areas = new Map();
  const inclusive = new Map();
  const nativeBy = new Map();
  let busyUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    const us = Math.max(0, profile.timeDeltas?.[i] ?? 0);
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    busyUs += us;
    self.set(label(frame), (self.get(label(frame)) ?? 0) + us);
    areas.set(area(frame), (areas.get(area(frame)) ?? 0) + us);
    // Native work (socket writes, crypto, ...) is charged to the nearest caller outside Node's
    // own JavaScript: the package or Tollgate function that asked for it.
    if (!frame.url && !frame.functionName.startsWith('(')) {
      let cur = parent.get(id);
      while (cur !== undefined && (!byId.get(cur).callFrame.url || byId.get(cur).callFrame.url.startsWith('node:'))) cur = parent.get(cur);
      const caller = cur === undefined ? '(none)' : `${area(byId.get(cur).callFrame)}: ${label(byId.get(cur).callFrame)}`;
      const key = `${frame.functionName} ← ${caller}`;
      nativeBy.set(key, (nativeBy.get(key) ?? 0) + us);
    }
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      if (!f.url.includes('/src/') || f.url.includes('/node_modules/')) continue;
      const key = label(f);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  });
  const rank = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / busyUs }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    selfTop: rank(self, top),
    areas: rank(areas, 15),
    tollgateInclusive: rank(inclusive, 15),
    nativeCallers: rank(nativeBy, 10),
  };
}

export function profileMarkdown(summary, requests) {
  const rows = (list) => list.map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} % |`).join('\n');
  const perReq = requests > 0 ? ` (${((summary.busyMs * 1000) / requests).toFixed(0)} µs of busy main-thread time per request over ${requests} requests)` : '';
  return [
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms${perReq}.`,
    '',
    '**Self time by area**',
    '',
    '| area | self ms | share of busy |',
    '|---|---:|---:|',
    rows(summary.areas),
    '',
    '**Top functions by self time**',
    '',
    '| function | self ms | share of busy |',
    '|---|---:|---:|',
    rows(summary.selfTop),
    '',
    '**Native self time by caller** (the nearest frame outside Node\'s own JavaScript)',
    '',
    '| native function ← caller | self ms | share of busy |',
    '|---|---:|---:|',
    rows(summary.nativeCallers),
    '',
    "**Tollgate's own functions by inclusive time** (everything they call, counted once per sample)",
    '',
    '| function | total ms | share of busy |',
    '|---|---:|---:|',
    rows(summary.tollgateInclusive),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(profileMarkdown(summarizeProfile(process.argv[2], Number(process.argv[3] ?? 25)), 0));
}
