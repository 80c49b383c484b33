import type { BenchPath } from '../paths/index.js';
import type { VaultClient } from '../../src/vault/index.js';
import { keepAlivePool } from './http.js';
import { runClosedLoop } from './load.js';

export interface ObjectCounts {
  policies: number;
  entities: number;
  aliases: number;
}

export interface ObjectGrowth extends ObjectCounts {
  /** Users issued in the measurement (the deltas are scaled to 1,000 of them). */
  users: number;
  failures: number;
  before: ObjectCounts;
  after: ObjectCounts;
}

/** LIST sys/policies/acl, identity/entity/id and identity/entity-alias/id with the admin token. */
export async function countObjects(admin: VaultClient): Promise<ObjectCounts> {
  const [policies, entities, aliases] = await Promise.all([admin.sys.listPolicies(), admin.identity.listEntityIds(), admin.identity.listEntityAliases()]);
  return { policies: policies.length, entities: entities.length, aliases: aliases.length };
}

/**
 * Issues `users` distinct users through one path, with nothing else running, and counts
 * what OpenBao holds before and after. Deltas are per 1,000 users.
 */
export async function measureObjectGrowth(options: { admin: VaultClient; path: BenchPath; origin: string; users: number; concurrency: number }): Promise<ObjectGrowth> {
  const { path } = options;
  const pool = keepAlivePool(options.origin, options.concurrency);
  try {
    const before = await countObjects(options.admin);
    const sample = await runClosedLoop({ concurrency: options.concurrency, count: options.users, send: (i) => path.send(pool, `${path.name}-objects-${i}`) });
    const after = await countObjects(options.admin);
    const issued = options.users - sample.failures;
    const per1000 = (delta: number) => (issued === 0 ? Number.NaN : Math.round((delta * 1000 * 100) / issued) / 100);
    return {
      policies: per1000(after.policies - before.policies),
      entities: per1000(after.entities - before.entities),
      aliases: per1000(after.aliases - before.aliases),
      users: issued,
      failures: sample.failures,
      before,
      after,
    };
  } finally {
    await pool.close();
  }
}
