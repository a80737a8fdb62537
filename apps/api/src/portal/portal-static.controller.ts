import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
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

/**
 * The partner portal's web app (apps/portal, built by `npm run build` into PORTAL_DIST_DIR). Any /portal/ path that
 * is not a file is the app's own route, so it gets index.html; /portal/api/* is never the app.
 */
// Files, not an API.
@ApiExcludeController()
@Controller('portal')
export class PortalStaticController {
  private readonly root: string;

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
