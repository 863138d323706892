// Lesson page weight and time to interactive, measured in chromium against the real server.
// Prints figures; asserts nothing.
//
//   node bench/page-weight.ts [--runs 3]
//
// Weight: every JS and CSS response the lesson page loads (including the lazily loaded WebGL
// renderer), raw, gzip-compressed here for comparison, and as actually received (the server
// negotiates Brotli or gzip), plus fonts, the HTML and everything else (images). Time to interactive: from
// navigation start until the terminal is connected to its shell and accepts keystrokes.
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { launchBrowser, startServer } from '../tests/browser/harness.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, help: { type: 'boolean', short: 'h' } } });
if (args.help) {
  console.log('Usage: node bench/page-weight.ts [--runs 3]');
  process.exit(0);
}
const RUNS = Math.max(1, Number(args.runs));

type Resource = { url: string; type: string; raw: number; gzip: number; transferred: number; encoding: string };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

const server = await startServer({ KUBECONFIG: '/nonexistent/kubeconfig' });
try {
  const index = await (await fetch(new URL('/en/', server.url))).text();
  const lessonPath = /href="(\/en\/lessons\/[^"]+)"/.exec(index)?.[1];
  if (!lessonPath) throw new Error('no lesson on /en/');
  const timings: Record<string, number[]> = { fcp: [], domContentLoaded: [], load: [], interactive: [] };
  let resources: Resource[] = [];

  for (let run = 0; run < RUNS; run++) {
    const browser = await launchBrowser(); // fresh profile: a cold cache every run
    try {
      const page = await browser.context.newPage();
      const seen: Promise<Resource | undefined>[] = [];
      page.on('response', (response) => {
        seen.push(
          (async () => {
            const body = await response.body().catch(() => undefined);
            if (!body) return undefined;
            // Body bytes as received (compressed if the server compressed), chunked or not.
            const sizes = await response.request().sizes().catch(() => undefined);
            return {
              url: new URL(response.url()).pathname,
              type: response.request().resourceType(),
              raw: body.length,
              gzip: gzipSync(body, { level: 9 }).length,
              transferred: sizes?.responseBodySize ?? body.length,
              encoding: response.headers()['content-encoding'] ?? 'identity',
            };
          })(),
        );
      });
      await page.goto(new URL(lessonPath, server.url).href, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { labsTerminal?: { ready: boolean } }).labsTerminal?.ready === true, null, {
        timeout: 60_000,
        polling: 10,
      });
      const interactive = await page.evaluate(() => performance.now());
      const nav = await page.evaluate(() => {
        const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return { domContentLoaded: entry.domContentLoadedEventEnd, load: entry.loadEventEnd, fcp: fcp?.startTime ?? NaN };
      });
      await page.waitForTimeout(1000); // the lazily loaded WebGL addon
      timings.fcp!.push(nav.fcp);
      timings.domContentLoaded!.push(nav.domContentLoaded);
      timings.load!.push(nav.load);
      timings.interactive!.push(interactive);
      resources = (await Promise.all(seen)).filter((r): r is Resource => r !== undefined);
    } finally {
      await browser.close();
    }
  }

  const byType = (type: string) => resources.filter((r) => r.type === type);
  const sum = (list: Resource[], key: 'raw' | 'gzip' | 'transferred') => list.reduce((total, r) => total + r[key], 0);
  console.log(`Lesson page weight (${lessonPath}, cold cache)`);
  console.log(`${'kind'.padEnd(12)}${'files'.padStart(6)}${'raw'.padStart(12)}${'gzip'.padStart(12)}${'on the wire'.padStart(14)}  encoding`);
  const encodings = (list: Resource[]) => [...new Set(list.map((r) => r.encoding))].join(', ');
  for (const [label, type] of [['JavaScript', 'script'], ['CSS', 'stylesheet'], ['fonts', 'font'], ['HTML', 'document']] as const) {
    const list = byType(type);
    console.log(`${label.padEnd(12)}${String(list.length).padStart(6)}${kb(sum(list, 'raw')).padStart(12)}${kb(sum(list, 'gzip')).padStart(12)}${kb(sum(list, 'transferred')).padStart(14)}  ${encodings(list)}`);
  }
  const jsCss = [...byType('script'), ...byType('stylesheet')];
  console.log(`${'JS + CSS'.padEnd(12)}${String(jsCss.length).padStart(6)}${kb(sum(jsCss, 'raw')).padStart(12)}${kb(sum(jsCss, 'gzip')).padStart(12)}${kb(sum(jsCss, 'transferred')).padStart(14)}`);
  console.log(`${'all'.padEnd(12)}${String(resources.length).padStart(6)}${kb(sum(resources, 'raw')).padStart(12)}${kb(sum(resources, 'gzip')).padStart(12)}${kb(sum(resources, 'transferred')).padStart(14)}`);
  console.log('\nLargest JS/CSS files (gzip):');
  for (const r of [...jsCss].sort((a, b) => b.gzip - a.gzip).slice(0, 6)) console.log(`  ${kb(r.gzip).padStart(9)}  (${r.encoding} ${kb(r.transferred)} on the wire)  ${r.url}`);
  console.log(`\nTimings, median of ${RUNS} cold loads (loopback, chromium headless)`);
  console.log(`  first contentful paint   ${median(timings.fcp!).toFixed(0)} ms`);
  console.log(`  DOMContentLoaded         ${median(timings.domContentLoaded!).toFixed(0)} ms`);
  console.log(`  load                     ${median(timings.load!).toFixed(0)} ms`);
  console.log(`  terminal interactive     ${median(timings.interactive!).toFixed(0)} ms  (shell connected, keystrokes accepted)`);
} finally {
  await server.stop();
}
