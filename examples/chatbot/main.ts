/**
 * `npm run example:chatbot`: the reference chatbot against a running `identity-broker dev`.
 * It reads the dev credentials file for the broker URL, the chatbot client's API key, the
 * OpenBao address and the demo database; it never uses the OpenBao root token in there.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createBrokerSessions, IdentityBrokerClient } from '../../src/sdk/index.js';
import { createChatbotServer } from './server.js';

interface DevCredentials {
  broker_url: string;
  bao_addr: string;
  clients: Record<string, { api_key: string; applications: string[] }>;
  database?: { host: string; port: number; schemas: Record<string, string> };
}

const file = process.env['IDENTITY_BROKER_DEV_CREDENTIALS'] ?? '.identity-broker/dev-credentials.json';
const clientId = process.env['CHATBOT_CLIENT_ID'] ?? 'chatbot-app-dev';
const port = Number(process.env['CHATBOT_PORT'] ?? 3000);

function fail(message: string): never {
  console.error(`example:chatbot: ${message}`);
  process.exit(1);
}

let credentials: DevCredentials;
try {
  credentials = JSON.parse(readFileSync(file, 'utf8')) as DevCredentials;
} catch (error) {
  fail(`cannot read ${file} (${(error as Error).message}); start \`npm run dev\` first, in another terminal`);
}
const client = credentials.clients[clientId] ?? fail(`${file} has no client ${clientId}`);
const schema = credentials.database?.schemas['chatbot'];
if (!credentials.database || !schema) {
  fail('identity-broker dev has no database engine: start MariaDB on 127.0.0.1:3306 or restart dev with --mysql-url');
}

const sessions = createBrokerSessions({
  broker: new IdentityBrokerClient({ baseUrl: credentials.broker_url, apiKey: client.api_key }),
  application: 'chatbot',
  openbaoAddr: credentials.bao_addr,
});
const { server, endAll } = createChatbotServer({
  sessions,
  database: { host: credentials.database.host, port: credentials.database.port, schema },
});
// Loopback only: this is a demo holding an API key, not a public service.
server.listen(port, '127.0.0.1', () => {
  console.log(`chatbot listening at http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Revoke every user token (and with it every database user) before leaving.
    void endAll().finally(() => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
  });
}
