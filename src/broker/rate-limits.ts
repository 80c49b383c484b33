import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Entity creations per client per minute. One limiter per distinct limit, keyed by client,
 * in memory (one replica); a shared store takes its place when replicas share a budget.
 */
export class ClientRateLimiter {
  private readonly limiters = new Map<number, RateLimiterMemory>();

  async consume(clientId: string, perMinute: number): Promise<RateDecision> {
    let limiter = this.limiters.get(perMinute);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: `entities-${perMinute}` });
      this.limiters.set(perMinute, limiter);
    }
    return consume(limiter, clientId);
  }
}

/**
 * Failed authentications per source address. Past the limit the address is blocked for a
 * while, whatever key it presents, so keys cannot be guessed at speed.
 */
export class AuthFailureThrottle {
  private readonly limiter: RateLimiterMemory;
  private readonly blockSeconds: number;

  constructor(options: { failuresPerMinute?: number; blockSeconds?: number } = {}) {
    this.limiter = new RateLimiterMemory({ points: options.failuresPerMinute ?? 20, duration: 60, keyPrefix: 'auth-failures' });
    this.blockSeconds = options.blockSeconds ?? 300;
  }

  /** Undefined when the address may try; else seconds until it may. */
  async blockedFor(address: string): Promise<number | undefined> {
    const state = await this.limiter.get(address);
    if (!state || state.remainingPoints > 0) return undefined;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }

  /** The failure that uses up the budget blocks the address for the full block time. */
  async recordFailure(address: string): Promise<void> {
    const decision = await consume(this.limiter, address);
    const state = await this.limiter.get(address);
    if (!decision.allowed || (state && state.remainingPoints === 0)) await this.limiter.block(address, this.blockSeconds);
  }
}

async function consume(limiter: RateLimiterMemory, key: string): Promise<RateDecision> {
  try {
    await limiter.consume(key);
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
    throw rejection;
  }
}
