import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { freePort } from '../../src/embedded/ports.js';
import { isCasMismatch, VaultClient, VaultError } from '../../src/vault/index.js';
import { startBao } from '../helpers/bao.js';

const bao = await startBao();

describe('VaultClient against a real OpenBao', () => {
  it('reads health and validates the answer', async () => {
    const health = await bao.root.sys.health();
    assert.equal(health.sealed, false);
    assert.match(health.version, /^\d+\.\d+/);
  });

  it('turns a denial into a VaultError with status, path and OpenBao errors, without the token', async () => {
    const token = await bao.root.token.create({ policies: ['default'], ttl: '5m' });
    const user = bao.root.withToken(token.client_token);
    const error = await user.sys.listMounts().catch((e: unknown) => e);
    assert.ok(error instanceof VaultError);
    assert.equal(error.status, 403);
    assert.equal(error.path, 'sys/mounts');
    assert.equal(error.method, 'GET');
    assert.equal(error.retryable, false);
    assert.ok(error.errors.some((e) => e.includes('permission denied')), error.errors.join());
    assert.ok(!error.message.includes(token.client_token) && !JSON.stringify(error).includes(token.client_token));
  });

  it('marks an unreachable server retryable', async () => {
    const port = await freePort();
    const client = VaultClient.connect({ addr: `http://127.0.0.1:${port}`, token: 'x', timeoutMs: 500 });
    const error = await client.sys.health().catch((e: unknown) => e);
    assert.ok(error instanceof VaultError);
    assert.equal(error.status, undefined);
    assert.equal(error.retryable, true);
    await client.close();
  });

  it('gives up after the per-request timeout', async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = VaultClient.connect({ addr: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    const started = Date.now();
    const error = await client.sys.health().catch((e: unknown) => e);
    assert.ok(error instanceof VaultError && error.retryable && /timed out/.test(error.message), String(error));
    assert.ok(Date.now() - started < 5000);
    await client.close();
    server.closeAllConnections();
    server.close();
  });

  it('KV v2 check-and-set: a stale version is refused', async () => {
    await bao.root.sys.enableMount('kvtest', 'kv', { version: '2' });
    const v1 = await bao.root.kv.write('kvtest', 'a/b', { n: 1 }, { cas: 0 });
    assert.equal(v1, 1);
    const stale = await bao.root.kv.write('kvtest', 'a/b', { n: 2 }, { cas: 0 }).catch((e: unknown) => e);
    assert.ok(isCasMismatch(stale), String(stale));
    assert.equal(await bao.root.kv.write('kvtest', 'a/b', { n: 2 }, { cas: 1 }), 2);
    assert.deepEqual((await bao.root.kv.read('kvtest', 'a/b'))?.data, { n: 2 });
    assert.equal(await bao.root.kv.read('kvtest', 'missing'), undefined);
  });

  it('creates a user token through a token role and finds its entity by alias', async () => {
    await bao.root.sys.writePolicy('demo-user', 'path "auth/token/lookup-self" { capabilities = ["read"] }');
    await bao.root.token.writeRole('demo-user', { allowed_policies: ['demo-user'], orphan: true, allowed_entity_aliases: ['demo:*'] });
    const { auth } = await bao.root.token.createWithRole('demo-user', { entity_alias: 'demo:alice', ttl: '5m', meta: { a: 'b' } });
    assert.ok(auth.entity_id);
    const again = await bao.root.token.createWithRole('demo-user', { entity_alias: 'demo:alice', ttl: '5m' });
    assert.equal(again.auth.entity_id, auth.entity_id);
    const entity = await bao.root.identity.readEntity(auth.entity_id);
    assert.equal(entity?.aliases[0]?.name, 'demo:alice');
    const self = await bao.root.withToken(auth.client_token).token.lookupSelf();
    assert.equal(self.entity_id, auth.entity_id);
    await bao.root.token.revokeAccessor(auth.accessor);
    await assert.rejects(bao.root.withToken(auth.client_token).token.lookupSelf(), { status: 403 });
  });
});
