import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { VaultSession } from '../../src/broker/vault-session.js';
import { startBao } from '../helpers/bao.js';
import { testConfig } from '../helpers/config.js';

const bao = await startBao();
const dir = join(mkdtempSync(join(tmpdir(), 'ib-session-')), 'approle');
await bootstrap(bao.root, testConfig(bao.addr), { credentialsDir: dir });
// A token that lives 2 seconds, so the test sees the session keep itself alive.
await bao.root.approle.writeRole('identity-broker', { token_ttl: '2s', token_max_ttl: '3s' });

describe("the broker's OpenBao session", () => {
  it('keeps a valid token past its TTL by renewing or logging in again', async () => {
    const session = new VaultSession(bao.root.withToken(undefined), {
      method: 'approle',
      mount: 'approle',
      role_id: { file: join(dir, 'role-id') },
      secret_id: { file: join(dir, 'secret-id') },
    });
    try {
      await session.login();
      const first = session.token();
      assert.ok(first);
      await new Promise((r) => setTimeout(r, 4500));
      const self = await session.client.token.lookupSelf();
      assert.ok(self.ttl > 0);
      assert.notEqual(session.token(), first, 'a new token after the old one reached its max TTL');
      await assert.rejects(bao.root.withToken(first).token.lookupSelf(), { status: 403 }, 'the first token has expired');
    } finally {
      session.close();
    }
  });
});
