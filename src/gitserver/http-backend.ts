// Drives Debian's real `git http-backend` as a CGI program from Node: the request becomes CGI
// environment plus stdin, the program's stdout becomes the response (CGI headers, then body).
// Smart HTTP (upload-pack for clones/fetches, receive-pack for pushes, protocol v2) is entirely
// git's own code; this file only speaks CGI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Debian's git puts its helpers in /usr/lib/git-core; `git --exec-path` says where if not. */
export const httpBackendCandidates = ['/usr/lib/git-core/git-http-backend', '/usr/libexec/git-core/git-http-backend'];

export function findHttpBackend(): string {
  const found = httpBackendCandidates.find((p) => existsSync(p));
  if (!found) throw new Error(`git http-backend not found (looked in ${httpBackendCandidates.join(', ')}): apt-get install git`);
  return found;
}

export type CgiRequest = {
  /** Directory holding the repositories this request may reach (GIT_PROJECT_ROOT). */
  projectRoot: string;
  /** Path below projectRoot, e.g. `/gitops.git/info/refs`. */
  pathInfo: string;
  query: string;
  /** Authenticated user: git enables receive-pack (push) only when REMOTE_USER is set. */
  remoteUser: string;
};

/** Runs one request through git http-backend and streams the answer back. */
export function serveWithHttpBackend(req: IncomingMessage, res: ServerResponse, cgi: CgiRequest, backend = findHttpBackend()): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: cgi.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    // Without a HOME git may read the server user's ~/.gitconfig; keep the server's config out.
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: cgi.projectRoot,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: cgi.pathInfo,
    QUERY_STRING: cgi.query,
    REMOTE_USER: cgi.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  // Chunked uploads (large pushes) carry no length: git then reads stdin to its end.
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

  const child = spawn(backend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {}); // git may stop reading early (e.g. on a bad request)

  let head = Buffer.alloc(0);
  let headersDone = false;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) { res.write(chunk); return; }
    head = Buffer.concat([head, chunk]);
    const split = findHeaderEnd(head);
    if (split === undefined) return;
    writeCgiHead(res, head.subarray(0, split.headerEnd).toString('latin1'));
    headersDone = true;
    const body = head.subarray(split.bodyStart);
    if (body.length) res.write(body);
  });
  child.on('error', (e) => fail(res, 500, `git http-backend failed to start: ${e.message}`));
  child.on('close', (code) => {
    if (!headersDone) fail(res, 500, `git http-backend exited ${code} without a response: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    else res.end();
  });
  res.on('close', () => { if (child.exitCode === null) child.kill('SIGTERM'); });
}

function findHeaderEnd(buf: Buffer): { headerEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

/** CGI headers: `Status: 404 Not Found` sets the status line, the rest pass through. */
function writeCgiHead(res: ServerResponse, text: string): void {
  let status = 200;
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else res.setHeader(name, value);
  }
  res.statusCode = status;
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) { res.destroy(new Error(message)); return; }
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${message}\n`);
}
