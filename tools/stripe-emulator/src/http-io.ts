import { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers; the server writes it. */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeResult(res: ServerResponse, result: HttpResult): void {
  res.writeHead(result.status, { 'content-length': Buffer.byteLength(result.body), ...result.headers });
  res.end(result.body);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  // Stripe pretty-prints its JSON; nothing depends on it, but raw captures then read the same.
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body, null, 2) };
}

/** Matches `/v1/customers/:id` against a path; returns the named segments, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < patternParts.length; i++) {
    const part = patternParts[i];
    if (part.startsWith(':')) {
      if (pathParts[i] === '') return null;
      params[part.slice(1)] = decodeURIComponent(pathParts[i]);
    } else if (part !== pathParts[i]) {
      return null;
    }
  }
  return params;
}
