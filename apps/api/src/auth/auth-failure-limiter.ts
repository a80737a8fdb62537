import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { AppConfig } from '@app/config';
import { AppError } from '@app/errors';
import { RateLimiter } from './rate-limiter';

const WINDOW_SECONDS = 60;

/**
 * Credential guessing, per client IP, across partner keys and the operator token alike: after
 * AUTH_FAILURES_PER_MINUTE failures the IP is refused (429) until its minute is over, even with good
 * credentials. The failure is counted and judged in one step, so a burst of concurrent guesses gets exactly
 * the allowed number of answers. `req.ip` is the socket's peer unless TRUSTED_PROXIES vouch for a forwarded one;
 * IPv6 clients count per /64.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  /** Throws 429 when the client IP has used up its failures. */
  async assertAllowed(req: FastifyRequest): Promise<void> {
    const blockedFor = await this.limiter.isOver(this.bucket(req), this.config.authFailuresPerMinute);
    if (blockedFor) throw AppError.rateLimited(blockedFor);
  }

  /** Counts a failed authentication: the error to answer with, 401 while within the limit, 429 past it. */
  async failure(req: FastifyRequest, unauthenticated: AppError): Promise<AppError> {
    const wait = await this.limiter.hit(this.bucket(req), this.config.authFailuresPerMinute, WINDOW_SECONDS);
    return wait ? AppError.rateLimited(wait) : unauthenticated;
  }

  private bucket(req: FastifyRequest): string {
    return `authfail:${clientNetwork(req.ip)}`;
  }
}

/**
 * The unit an attacker cannot multiply cheaply: an IPv4 address, or an IPv6 /64 (one subscriber's
 * allocation, whose 2^64 addresses would otherwise each get their own failures).
 */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${(addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}
