import type { VaultClient } from '../vault/index.js';

export interface ReadinessReport {
  ready: boolean;
  checks: { openbao: 'ok' | 'unreachable' | 'sealed'; broker_token: 'ok' | 'invalid' | 'unknown' };
}

/**
 * Ready = OpenBao answers, is unsealed, and the broker's token is still valid. Results are
 * cached briefly so a probe storm does not become an OpenBao storm.
 */
export function createReadinessCheck(broker: VaultClient, cacheMs = 1000): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) cached = { at: now, report: probe(broker) };
    return cached.report;
  };
}

async function probe(broker: VaultClient): Promise<ReadinessReport> {
  let openbao: ReadinessReport['checks']['openbao'] = 'ok';
  try {
    const health = await broker.sys.health();
    if (health.sealed) openbao = 'sealed';
  } catch {
    openbao = 'unreachable';
  }
  if (openbao !== 'ok') return { ready: false, checks: { openbao, broker_token: 'unknown' } };
  try {
    await broker.token.lookupSelf();
    return { ready: true, checks: { openbao, broker_token: 'ok' } };
  } catch {
    return { ready: false, checks: { openbao, broker_token: 'invalid' } };
  }
}
