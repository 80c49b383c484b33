import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createChatbotServer } from '../../examples/chatbot/server.js';
import { createBrokerSessions, IdentityBrokerClient } from '../../src/sdk/index.js';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';
import { startTestDatabase } from '../helpers/mysql.js';

const bao = await startBao();
const db = await startTestDatabase(['chatbot']);
const broker = await startTestBroker(bao, {
  applications: db.applications({ chatbot: {} }),
  clients: { 'chatbot-app': { applications: ['chatbot'], rate_limit_per_minute: 1000 } },
  database: db.configSection,
});
const database = { host: db.admin.host, port: db.admin.port, schema: db.schemas['chatbot'] as string };
const sessions = createBrokerSessions({
  broker: new IdentityBrokerClient({ baseUrl: broker.url, apiKey: broker.keys['chatbot-app'] as string }),
  application: 'chatbot',
  openbaoAddr: bao.addr,
});
const chatbot = createChatbotServer({ sessions, database });
await new Promise<void>((resolve) => chatbot.server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(chatbot.server.address() as AddressInfo).port}`;
after(async () => {
  await chatbot.endAll();
  chatbot.server.closeAllConnections();
  chatbot.server.close();
});

interface ChatReply {
  reply: string;
  source: 'database' | 'canned';
  entity_id: string;
  database_user?: string;
  recent_operations: number;
}

/** A browser: keeps the cookie it was given. */
function browser(base = url) {
  let cookie = '';
  return {
    async get(path: string) {
      const res = await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {} });
      cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      return res;
    },
    async say(message: string): Promise<ChatReply> {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ message }) });
      cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      const body = (await res.json()) as ChatReply;
      assert.equal(res.status, 200, JSON.stringify(body));
      return body;
    },
    end: () => fetch(`${base}/api/end`, { method: 'POST', headers: { cookie } }),
  };
}

describe('examples/chatbot', () => {
  it('serves the page and answers a chat round trip from the database with the user’s own credentials', async () => {
    const alice = browser();
    const page = await alice.get('/');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form id="form">/);
    assert.match(page.headers.get('set-cookie') ?? '', /^chat_sid=[0-9a-f]{32}; HttpOnly; SameSite=Strict/);

    const first = await alice.say('What are your hours?');
    assert.deepEqual({ reply: first.reply, source: first.source }, { reply: 'We are here around the clock.', source: 'database' });
    assert.match(first.database_user ?? '', /^v-/);
    const second = await alice.say('hello');
    assert.equal(second.source, 'canned');
    assert.equal(second.entity_id, first.entity_id, 'one identity per browser session');
    assert.equal(second.recent_operations, 2);

    const log = await bao.root.kv.read('kv', `chatbot/users/${first.entity_id}/operations`);
    const operations = (log?.data?.['operations'] ?? []) as { operation: string; database_user?: string }[];
    assert.deepEqual(operations.map((op) => op.operation), ['database_query', 'chat_message']);
    assert.equal(operations[0]?.database_user, first.database_user);

    const bob = browser();
    const other = await bob.say('Is my data private?');
    assert.notEqual(other.entity_id, first.entity_id);
    assert.notEqual(other.database_user, first.database_user);

    // Ending the session revokes the token, and OpenBao drops its database user with it.
    assert.equal(await db.userExists(first.database_user as string), true);
    assert.equal((await alice.end()).status, 204);
    assert.equal(await db.userExists(first.database_user as string), false);
  });

  it('re-initialises a session whose token was revoked, keeping the same entity', async () => {
    const carol = browser();
    const before = await carol.say('pricing?');
    for (const accessor of await userTokenAccessors()) await bao.root.token.revokeAccessor(accessor);
    const afterRevoke = await carol.say('pricing again?');
    assert.equal(afterRevoke.reply, 'The demo is free.');
    assert.equal(afterRevoke.entity_id, before.entity_id);
    assert.notEqual(afterRevoke.database_user, before.database_user, 'new credentials with the new token');
    await carol.end();
  });

  it('accepts JSON only', async () => {
    const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'message=hi' });
    assert.equal(res.status, 415);
  });

  it('`npm run example:chatbot` starts from the dev credentials file and answers on loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-chatbot-'));
    const file = join(dir, 'dev-credentials.json');
    writeFileSync(file, JSON.stringify({
      broker_url: broker.url,
      bao_addr: bao.addr,
      clients: { 'chatbot-app-dev': { api_key: broker.keys['chatbot-app'], applications: ['chatbot'] } },
      database: { host: database.host, port: database.port, schemas: { chatbot: database.schema } },
    }), { mode: 0o600 });
    const main = fileURLToPath(new URL('../../examples/chatbot/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, IDENTITY_BROKER_DEV_CREDENTIALS: file, CHATBOT_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const listening = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const found = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
          if (found) resolve(found);
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const reply = await browser(listening).say('when are you open?');
      assert.equal(reply.source, 'database');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

/** Accessors of live chatbot user tokens (root lists them; the test plays an operator). */
async function userTokenAccessors(): Promise<string[]> {
  const res = await fetch(`${bao.addr}/v1/auth/token/accessors?list=true`, { headers: { 'x-vault-token': bao.rootToken } });
  const { data } = (await res.json()) as { data: { keys: string[] } };
  const found: string[] = [];
  for (const accessor of data.keys) {
    const info = await bao.root.token.lookupAccessor(accessor);
    if (info.policies.includes('chatbot-user')) found.push(accessor);
  }
  return found;
}
