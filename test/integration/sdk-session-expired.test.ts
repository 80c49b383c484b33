import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createBrokerSessions,
  IdentityBrokerClient,
  isSessionExpired,
  OpenBaoRequestError,
  SessionExpiredError,
  type UserContext,
  type UserSession,
} from '../../src/sdk/index.js';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';

const bao = await startBao();
const broker = await startTestBroker(bao);
let clock = Date.now();
const options = (application: string, client: string) => ({
  broker: new IdentityBrokerClient({ baseUrl: broker.url, apiKey: broker.keys[client] as string }),
  application,
  openbaoAddr: bao.addr,
  now: () => new Date(clock),
});
const chatbot = createBrokerSessions(options('chatbot', 'chatbot-app'));
let seq = 0;
const context = (): UserContext => ({ session_id: `exp-${process.pid}-${seq++}` });

const isExpired = (reason: SessionExpiredError['reason']) => (e: unknown) => isSessionExpired(e) && e.reason === reason;

describe('a session whose token is gone fails with SessionExpiredError', () => {
  it('past its expiry time: detected locally, without spending a use', async () => {
    const session = await chatbot.initializeUserSession(context());
    const saved = clock;
    clock = session.expiresAt.getTime() + 1;
    try {
      await assert.rejects(session.recordOperation({ operation: 'late' }), isExpired('expired'));
    } finally {
      clock = saved;
    }
    assert.equal((await session.lookup()).num_uses, 499, 'only this lookup was spent');
    await session.end();
  });

  it('revoked behind its back (revoke-accessor): detected by asking the token itself', async () => {
    const session = await chatbot.initializeUserSession(context());
    await bao.root.token.revokeAccessor(session.tokenAccessor);
    await assert.rejects(session.readOperations(), isExpired('invalid'));
  });

  it('uses spent: the token role allows 50 for analytics', async () => {
    const analytics = createBrokerSessions(options('analytics', 'analytics-app'));
    const session = await analytics.initializeUserSession(context());
    for (let i = 0; i < 50; i++) await session.lookup();
    await assert.rejects(session.recordOperation({ operation: 'one_too_many' }), isExpired('invalid'));
  });

  it('after end(): every call says so, and end() again is harmless', async () => {
    const session = await chatbot.initializeUserSession(context());
    await session.end();
    await session.end();
    await assert.rejects(session.lookup(), isExpired('ended'));
  });

  it('a denied path with a live token is not "expired": it is the OpenBao error', async () => {
    const wrongMount = createBrokerSessions({ ...options('chatbot', 'chatbot-app'), kvMount: 'secret' });
    const session = await wrongMount.initializeUserSession(context());
    await assert.rejects(session.readOperations(), (e: unknown) => e instanceof OpenBaoRequestError && e.status === 403);
    await session.end();
  });
});

describe('re-initialising (docs/sdk.md)', () => {
  /** The documented pattern: on SessionExpiredError, initialise again and retry once. */
  async function withSession<T>(sessions: Map<string, UserSession>, ctx: UserContext, use: (s: UserSession) => Promise<T>): Promise<T> {
    let session = sessions.get(ctx.session_id) ?? (await chatbot.initializeUserSession(ctx));
    sessions.set(ctx.session_id, session);
    try {
      return await use(session);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) throw error;
      session = await chatbot.initializeUserSession(ctx);
      sessions.set(ctx.session_id, session);
      return use(session);
    }
  }

  it('gives the same entity within the hour, and the operation log carries over', async () => {
    const sessions = new Map<string, UserSession>();
    const ctx = context();
    await withSession(sessions, ctx, (s) => s.recordOperation({ operation: 'first' }));
    const first = sessions.get(ctx.session_id) as UserSession;
    await first.end();
    const log = await withSession(sessions, ctx, (s) => s.recordOperation({ operation: 'second' }));
    const second = sessions.get(ctx.session_id) as UserSession;
    assert.notEqual(second, first, 'a new session');
    assert.equal(second.entityId, first.entityId, 'the same entity');
    assert.deepEqual(log.operations.map((op) => op.operation), ['first', 'second']);
    await second.end();
  });
});
