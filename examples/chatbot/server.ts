import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import mysql from 'mysql2/promise';
// In an application: `from 'identity-broker'` (the package's main export is the SDK).
import { isIdentityBrokerError, SessionExpiredError, type DatabaseCredentials, type SessionFactory, type UserSession } from '../../src/sdk/index.js';
import { planReply } from './bot.js';
import { CHAT_PAGE } from './page.js';

export interface ChatbotOptions {
  sessions: SessionFactory;
  /** Where the demo schema is; the user name and password come from OpenBao per user. */
  database: { host: string; port: number; schema: string };
  /** Browser sessions kept in memory; past this the oldest is ended. */
  maxSessions?: number;
}

/** One browser session: its cookie id, the context its identity is derived from, its user session. */
interface BrowserSession {
  id: string;
  context: { session_id: string; ip_address: string; user_agent: string };
  user?: Promise<UserSession>;
  creds?: DatabaseCredentials;
}

const COOKIE = 'chat_sid';

/** The chat service, built without listen() so tests run it in-process. */
export function createChatbotServer(options: ChatbotOptions): { server: Server; endAll(): Promise<void> } {
  const browsers = new Map<string, BrowserSession>();
  const maxSessions = options.maxSessions ?? 1000;

  /**
   * Runs `use` with the browser's user session, created on first use. The promise is
   * shared, so two first messages at once make one identity. An expired session is
   * re-initialised once (docs/sdk.md): same hour, same entity, same operation log.
   */
  async function withUser<T>(browser: BrowserSession, use: (user: UserSession) => Promise<T>): Promise<T> {
    const current = (browser.user ??= options.sessions.initializeUserSession(browser.context));
    let user: UserSession;
    try {
      user = await current;
    } catch (error) {
      if (browser.user === current) delete browser.user;
      throw error;
    }
    try {
      return await use(user);
    } catch (error) {
      if (!(error instanceof SessionExpiredError)) throw error;
      if (browser.user === current) {
        delete browser.creds;
        browser.user = options.sessions.initializeUserSession(browser.context);
      }
      return use(await (browser.user as Promise<UserSession>));
    }
  }

  /**
   * A real query with the user's own, short-lived database user. Credentials are cached
   * for their lease; if the login is refused (lease revoked early), they are read again,
   * which raises SessionExpiredError when the token itself is gone.
   */
  async function lookUp(browser: BrowserSession, user: UserSession, topic: string): Promise<{ answer: string; databaseUser: string }> {
    if (!browser.creds || browser.creds.expiresAt.getTime() < Date.now() + 5_000) browser.creds = await user.getDatabaseCredentials();
    let db: mysql.Connection;
    try {
      db = await connectAs(browser.creds);
    } catch (error) {
      if ((error as { errno?: number }).errno !== 1045 && (error as { errno?: number }).errno !== 1698) throw error;
      browser.creds = await user.getDatabaseCredentials();
      db = await connectAs(browser.creds);
    }
    try {
      const [rows] = await db.execute('SELECT answer FROM faq WHERE topic = ?', [topic]);
      const answer = (rows as { answer: string }[])[0]?.answer ?? 'I have no answer on that yet.';
      return { answer, databaseUser: browser.creds.username };
    } finally {
      await db.end();
    }
  }

  function connectAs(creds: DatabaseCredentials): Promise<mysql.Connection> {
    const { host, port, schema } = options.database;
    return mysql.createConnection({ host, port, database: schema, user: creds.username, password: creds.password, connectTimeout: 5_000 });
  }

  async function chat(browser: BrowserSession, message: string) {
    const plan = planReply(message);
    return withUser(browser, async (user) => {
      const found = plan.kind === 'lookup' ? await lookUp(browser, user, plan.topic) : undefined;
      const log = await user.recordOperation(
        found && plan.kind === 'lookup'
          ? { operation: 'database_query', topic: plan.topic, database_user: found.databaseUser }
          : { operation: 'chat_message' },
      );
      return {
        reply: found?.answer ?? (plan.kind === 'canned' ? plan.reply : ''),
        source: found ? 'database' : 'canned',
        entity_id: user.entityId,
        ...(found ? { database_user: found.databaseUser } : {}),
        recent_operations: log.operations.length,
        last_activity: log.last_activity,
      };
    });
  }

  function browserFor(req: IncomingMessage, res: ServerResponse): BrowserSession {
    const id = /(?:^|;\s*)chat_sid=([0-9a-f]{32})(?:;|$)/.exec(req.headers.cookie ?? '')?.[1];
    const known = id ? browsers.get(id) : undefined;
    if (known) return known;
    const fresh = id ?? randomBytes(16).toString('hex');
    res.setHeader('set-cookie', `${COOKIE}=${fresh}; HttpOnly; SameSite=Strict; Path=/`);
    const browser: BrowserSession = {
      id: fresh,
      context: { session_id: fresh, ip_address: req.socket.remoteAddress ?? '', user_agent: req.headers['user-agent'] ?? '' },
    };
    browsers.set(fresh, browser);
    if (browsers.size > maxSessions) {
      const [oldest] = browsers.values();
      if (oldest) void endBrowser(oldest);
    }
    return browser;
  }

  async function endBrowser(browser: BrowserSession): Promise<void> {
    browsers.delete(browser.id);
    await browser.user?.then((user) => user.end()).catch(() => undefined);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // SDK errors name the call and the status, never a token.
      console.error('chatbot:', error instanceof Error ? error.message : error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/') {
      browserFor(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(CHAT_PAGE);
      return;
    }
    if (req.method === 'POST' && path === '/api/end') {
      await endBrowser(browserFor(req, res));
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST' || path !== '/api/chat') return sendJson(res, 404, { error: 'not found' });
    // JSON only: with SameSite=Strict cookies, a cross-site form cannot post here.
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: 'send application/json' });
    const body = await readJson(req);
    const message = typeof body?.['message'] === 'string' ? body['message'].trim() : '';
    if (!message || message.length > 500) return sendJson(res, 400, { error: 'message must be 1–500 characters' });
    try {
      sendJson(res, 200, await chat(browserFor(req, res), message));
    } catch (error) {
      if (!isIdentityBrokerError(error, 'rate_limited') && !isIdentityBrokerError(error, 'upstream_unavailable')) throw error;
      res.setHeader('retry-after', String(error.retryAfterSeconds ?? 5));
      sendJson(res, 503, { error: 'busy; try again shortly' });
    }
  }

  return { server, endAll: async () => void (await Promise.all([...browsers.values()].map(endBrowser))) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
