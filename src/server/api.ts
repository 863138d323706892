// JSON endpoints under /api, handled by the plain Node server (not bundled into Astro) so they
// call the grader, environments and store libraries directly.
//   GET  /api/cluster            learner cluster status (src/environments' kind provider)
//   GET  /api/labs               lab numbers and titles
//   POST /api/labs/<n>/verify    grade lab n → LabResult           (needs the page token)
//   GET  /api/progress           latest result per lab
//   GET  /api/page-token         a fresh page token for an open tab (same-origin fetches only)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgressStore } from '../store/progress-store.ts';
import { classifyGraderError, type GraderAdapter } from './adapters/grader.ts';
import type { EnvironmentsAdapter } from './adapters/environments.ts';
import type { PageTokens } from './page-token.ts';
import { sameOrigin } from './request-guard.ts';

export type ApiOptions = {
  grader: GraderAdapter | undefined;
  environments: EnvironmentsAdapter | undefined;
  store: ProgressStore | undefined;
  tokens: PageTokens;
  log?: (line: string) => void;
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

const notAvailable = (res: ServerResponse, what: string) => json(res, 503, { error: `${what} is not available yet` });

export function createApi(options: ApiOptions) {
  const log = options.log ?? (() => {});
  /** One verify per lab at a time: a double click should not grade twice in parallel. */
  const running = new Map<number, Promise<unknown>>();

  return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    const method = req.method ?? 'GET';

    if (url.pathname === '/api/cluster' && method === 'GET') {
      if (!options.environments) return notAvailable(res, 'cluster status'), true;
      try {
        json(res, 200, await options.environments.status());
      } catch (error) {
        json(res, 500, { error: (error as Error).message });
      }
      return true;
    }

    if (url.pathname === '/api/labs' && method === 'GET') {
      if (!options.grader) return notAvailable(res, 'the lab catalog'), true;
      try {
        json(res, 200, await options.grader.labs());
      } catch (error) {
        json(res, 500, { error: (error as Error).message });
      }
      return true;
    }

    if (url.pathname === '/api/progress' && method === 'GET') {
      if (!options.store) return notAvailable(res, 'the progress store'), true;
      json(res, 200, options.store.progress());
      return true;
    }

    if (url.pathname === '/api/page-token' && method === 'GET') {
      // Only this origin's pages can read the answer (no CORS), exactly as they can read a page
      // with a token in it; a browser that says the fetch is cross-site is refused outright.
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') return json(res, 403, { error: 'forbidden: cross-site token request' }), true;
      json(res, 200, { token: options.tokens.issue() });
      return true;
    }

    const verify = /^\/api\/labs\/(\d{1,3})\/verify$/.exec(url.pathname);
    if (verify) {
      if (method !== 'POST') {
        res.setHeader('Allow', 'POST');
        json(res, 405, { error: 'use POST' });
        return true;
      }
      // A state-changing call: only from our own pages (Origin + the page's token).
      if (!sameOrigin(req) || !options.tokens.verify(String(req.headers['x-labs-token'] ?? ''))) {
        json(res, 403, { error: 'forbidden: verify must come from a lesson page of this server' });
        return true;
      }
      if (!options.grader) return notAvailable(res, 'grading'), true;
      const lab = Number(verify[1]);
      const grader = options.grader;
      try {
        let attempt = running.get(lab) as Promise<Awaited<ReturnType<GraderAdapter['verify']>>> | undefined;
        if (!attempt) {
          // One grading run, one recorded attempt, however many requests share it.
          attempt = grader.verify(lab).then((result) => {
            try {
              options.store?.record(result);
            } catch (error) {
              log(`progress: could not record lab ${lab}: ${(error as Error).message}`);
            }
            return result;
          });
          running.set(lab, attempt);
          void attempt.finally(() => running.delete(lab)).catch(() => {});
        }
        const result = await attempt;
        json(res, 200, result);
      } catch (error) {
        const kind = classifyGraderError(error);
        const message = (error as Error).message;
        if (kind === 'not-found') json(res, 404, { error: message });
        else if (kind === 'cluster') json(res, 502, { error: message });
        else {
          log(`verify lab ${lab}: ${message}`);
          json(res, 500, { error: message });
        }
      }
      return true;
    }

    json(res, 404, { error: `no API endpoint ${method} ${url.pathname}` });
    return true;
  };
}
