import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@app/errors';

/** Logos are printed small; a larger file only bloats every PDF. */
export const MAX_LOGO_BYTES = 512 * 1024;
export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg'] as const;

/**
 * Lets `PUT /admin/partners/:id/logo` take the image bytes as the body
 * (`Content-Type: image/png` or `image/jpeg`), up to MAX_LOGO_BYTES; the
 * api's JSON parser knows nothing of images.
 */
@Injectable()
export class PartnerLogoParser implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance() as FastifyInstance;
    if (fastify.hasContentTypeParser('image/png')) return;
    fastify.addContentTypeParser([...LOGO_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES }, (_req, body, done) => done(null, body));
  }
}

/** Checks the bytes, not the header alone: a renamed GIF or a PDF must not end up in a PDF/A invoice. */
export function logoContentType(body: unknown, declared: string | undefined): 'image/png' | 'image/jpeg' {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError('unsupported_media_type', 'Send the logo as the request body with Content-Type image/png or image/jpeg.');
  }
  const isPng = body.length > 8 && body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const isJpeg = body.length > 3 && body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff;
  const actual = isPng ? 'image/png' : isJpeg ? 'image/jpeg' : null;
  if (!actual) throw AppError.validation([{ field: 'body', message: 'is neither a PNG nor a JPEG image' }]);
  const type = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (type !== actual) throw AppError.validation([{ field: 'content-type', message: `says ${type || 'nothing'} but the bytes are ${actual}` }]);
  return actual;
}
