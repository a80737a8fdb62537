import { Global, Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { RateLimiter } from './rate-limiter';

/** One limiter per api process, shared by the partner and operator guards (one Redis connection, one fallback). */
@Global()
@Module({ providers: [RateLimiter, AuthFailureLimiter], exports: [RateLimiter, AuthFailureLimiter] })
export class AuthModule {}
