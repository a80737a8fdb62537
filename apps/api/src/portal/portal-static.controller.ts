import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { extname, resolve, sep } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';
import { APP_CSP, notBuiltPage, PAGE_CSP } from './portal-pages';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|map|txt|html)$/i;

/**
 * The partner portal's web app (apps/portal, built by `npm run build` into PORTAL_DIST_DIR). Any /portal/ path that
 * is not a file is the app's own route, so it gets index.html; /portal/api/* is never the app.
 */
// Files, not an API.
@ApiExcludeController()
@Controller('portal')
export class PortalStaticController {
  private readonly root: string;
  private readonly packed = new Map<string, Buffer>();

  constructor(config: AppConfig) {
    this.root = resolve(config.portalDistDir);
  }

  /** The app's URLs are under /portal/ (Vite's base), so the bare path is sent there. */
  @Get()
  bare(@Res() reply: FastifyReply): void {
    void reply.status(308).header('location', '/portal/').send();
  }

  @Get('*')
  async serve(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const path = req.url.split('?')[0].slice('/portal/'.length);
    if (path === 'api' || path.startsWith('api/')) throw new AppError('route_not_found');
    void reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    const file = this.fileOf(path);
    if (file && (await isFile(file))) {
      // Vite names assets by their content: a new build has new names, so they can be kept for good.
      const immutable = path.startsWith('assets/');
      void reply
        .header('content-type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('content-security-policy', APP_CSP);
      const packed = await this.compressed(req, file, path);
      if (packed) return reply.header('content-encoding', packed.encoding).header('vary', 'accept-encoding').send(packed.body);
      return reply.send(createReadStream(file));
    }
    if (path.startsWith('assets/')) throw new AppError('route_not_found');
    let index: Buffer;
    try {
      index = await readFile(resolve(this.root, 'index.html'));
    } catch {
      void reply.status(503).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store');
      return reply.send(notBuiltPage());
    }
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', APP_CSP);
    return reply.send(index);
  }

  /**
   * Scripts and styles compressed once per file and kept: Vite's hashed assets never change, and the app's first
   * load is measured compressed (its JavaScript budget). Brotli when the browser takes it, else gzip.
   */
  private async compressed(req: FastifyRequest, file: string, path: string): Promise<{ encoding: string; body: Buffer } | null> {
    if (!path.startsWith('assets/') || !COMPRESSIBLE.test(file)) return null;
    const accepted = String(req.headers['accept-encoding'] ?? '');
    const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
    if (!encoding) return null;
    const key = `${encoding} ${file}`;
    let body = this.packed.get(key);
    if (!body) {
      const raw = await readFile(file);
      body = encoding === 'br' ? await brotli(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }) : await gzipped(raw, { level: 9 });
      // A handful of files per build; a rebuild brings new names, so the old entries are simply never asked for again.
      if (this.packed.size < 200) this.packed.set(key, body);
    }
    return { encoding, body };
  }

  /** The file a path names inside the root, or null for anything that could step out of it or is hidden. */
  private fileOf(path: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
    if (decoded === '' || decoded.includes('\0') || decoded.split('/').some((part) => part === '..' || part.startsWith('.'))) return null;
    const file = resolve(this.root, decoded);
    return file.startsWith(this.root + sep) ? file : null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
