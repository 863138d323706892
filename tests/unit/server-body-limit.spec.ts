// Request bodies (issue #20, item 6): the platform server reads at most MAX_BODY_BYTES of any
// request, and the classroom API's JSON at most its own smaller limit; larger ones are 413 before
// (or as soon as) they pass the limit, so no page or API reads a body of any size.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/server/platform-server.ts';
import { checkBodySize, MAX_BODY_BYTES } from '../../src/server/request-guard.ts';
import { startClassroom, type ClassroomUnderTest } from './classroom-harness.ts';

type Sent = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** POSTs `size` bytes, declared (Content-Length) or chunked, as fast as the server reads them; stops when it answers. */
function post(url: string, size: number, chunked: boolean): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    let answered = false;
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: {
      Origin: target.origin, 'Content-Type': 'application/json', ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(size) }),
    } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    // The server may close the connection before all of it is sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)));
    const piece = Buffer.alloc(16 * 1024, 'a');
    void (async () => {
      for (let sent = 0; sent < size && !answered && !req.destroyed; sent += piece.length) {
        if (req.write(piece.subarray(0, Math.min(piece.length, size - sent)))) continue;
        await new Promise<void>((done) => {
          const go = () => (req.off('drain', go).off('close', go), done());
          req.on('drain', go).on('close', go);
        });
      }
      if (!req.destroyed) req.end();
    })();
  });
}

describe('the platform server caps request bodies', () => {
  let dist: string;
  let platform: Platform;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'labs-body-limit-'));
    mkdirSync(join(dist, 'server'), { recursive: true });
    mkdirSync(join(dist, 'client'), { recursive: true });
    // A page that reads whatever body it is sent, as an Astro page reading Astro.request would.
    writeFileSync(join(dist, 'server', 'entry.mjs'), `
      export async function handler(req, res) {
        for await (const chunk of req) globalThis.__labsBodyBytes = (globalThis.__labsBodyBytes ?? 0) + chunk.length;
        res.end('page');
      }`);
    platform = await startPlatform({ distDir: dist, host: '127.0.0.1', port: 0, idleTimeoutMs: 60_000, progressDb: ':memory:', tokenKeyFile: join(dist, 'page-token.key'), log: () => {} });
  });
  afterAll(async () => {
    await platform?.close();
    rmSync(dist, { recursive: true, force: true });
  });
  /** Bytes of body the stand-in page handler (Astro's, in the real build) was given to read. */
  const read = () => (globalThis as { __labsBodyBytes?: number }).__labsBodyBytes ?? 0;

  it('a page gets a small body; one over the limit is 413 and never reaches it', async () => {
    expect((await post(`${platform.url}en/`, 1000, false)).status).toBe(200);
    expect(read()).toBe(1000);
    const large = await post(`${platform.url}en/`, 4 * MAX_BODY_BYTES, false);
    expect([large.status, large.headers.connection]).toEqual([413, 'close']);
    expect(read()).toBe(1000);
  });

  it('a body of undeclared length (chunked) is 411 and never reaches a page', async () => {
    const chunked = await post(`${platform.url}en/`, 4 * MAX_BODY_BYTES, true);
    expect([chunked.status, chunked.headers.connection]).toEqual([411, 'close']);
    expect(read()).toBe(1000);
  });

  it('the verdict itself', () => {
    const req = (headers: Record<string, string>) => ({ headers }) as never;
    expect(checkBodySize(req({}))).toEqual({ ok: true });
    expect(checkBodySize(req({ 'content-length': String(MAX_BODY_BYTES) }))).toEqual({ ok: true });
    expect(checkBodySize(req({ 'content-length': String(MAX_BODY_BYTES + 1) }))).toMatchObject({ ok: false, status: 413 });
    expect(checkBodySize(req({ 'transfer-encoding': 'chunked' }))).toMatchObject({ ok: false, status: 411 });
  });
});

describe('the classroom API caps JSON bodies', () => {
  let classroom: ClassroomUnderTest;
  beforeAll(async () => {
    classroom = await startClassroom();
  });
  afterAll(() => classroom.close());

  it('a declared body over the limit is 413 before it is read', async () => {
    const answer = await post(`${classroom.base}/api/classroom/join`, 32 * 1024, false);
    expect([answer.status, answer.headers.connection, JSON.parse(answer.text).error]).toEqual([413, 'close', 'body larger than 16384 bytes']);
  });

  it('a chunked body is 413 as soon as it passes the limit, and the rest is not read', async () => {
    // 64 MiB would take seconds to read: the answer comes after about 16 KiB of it.
    const answer = await post(`${classroom.base}/api/classroom/join`, 64 * 1024 * 1024, true);
    expect([answer.status, answer.headers.connection]).toEqual([413, 'close']);
  });
});
