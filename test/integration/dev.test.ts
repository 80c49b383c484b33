import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEV_MYSQL } from '../../src/embedded/dev-database.js';
import { connectMysql } from '../../src/embedded/demo-schema.js';
import { CLI_MAIN, runCli } from '../helpers/cli.js';

// dev creates its demo schemas in the machine's MariaDB; drop the ones this file created
// (a developer's running `npm run dev` may own them already, and keeps them).
const DEV_SCHEMAS = ['chatbot_demo', 'analytics_demo'];
const mysqlRoot = await connectMysql(DEV_MYSQL).catch((error: { code?: string }) => {
  throw new Error(`MariaDB at 127.0.0.1:3306 (root, no password) is required by this test (${error.code ?? String(error)})`);
});
const [existing] = await mysqlRoot.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', [DEV_SCHEMAS]);
const preexisting = new Set((existing as { name: string }[]).map((row) => row.name));
after(async () => {
  for (const schema of DEV_SCHEMAS.filter((s) => !preexisting.has(s))) await mysqlRoot.query(`DROP DATABASE IF EXISTS \`${schema}\``);
  await mysqlRoot.end();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('identity-broker dev', () => {
  it('comes up ready, writes 0600 credentials, and leaves no bao behind on SIGTERM', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'ib-dev-')), 'state');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_MAIN, 'dev', '--port', '0', '--state-dir', stateDir, '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ready = new Promise<{ brokerUrl: string; baoPid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dev did not become ready:\n${stderr}`)), 90_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const url = /broker ready at (http:\/\/\S+)/.exec(stderr)?.[1];
        const pid = /OpenBao dev server at \S+ \(pid (\d+)\)/.exec(stderr)?.[1];
        if (url && pid) {
          clearTimeout(timer);
          resolve({ brokerUrl: url, baoPid: Number(pid) });
        }
      });
      void exited.then((code) => reject(new Error(`dev exited early with ${code}:\n${stderr}`)));
    });
    try {
      const { brokerUrl, baoPid } = await ready;
      const readyz = await fetch(`${brokerUrl}/readyz`);
      assert.equal(readyz.status, 200, await readyz.text());
      assert.equal((await fetch(`${brokerUrl}/healthz`)).status, 200);

      const credentialsFile = join(stateDir, 'dev-credentials.json');
      assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
      const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8'));
      // `database` is there because MariaDB answers on 127.0.0.1:3306 on a test machine.
      assert.deepEqual(Object.keys(credentials).sort(), ['admin_key', 'bao_addr', 'bao_root_token', 'broker_url', 'clients', 'database']);
      assert.deepEqual(credentials.database, { host: '127.0.0.1', port: 3306, schemas: { chatbot: 'chatbot_demo', analytics: 'analytics_demo' } });
      assert.equal(credentials.broker_url, brokerUrl);
      assert.deepEqual(Object.keys(credentials.clients).sort(), ['analytics-app', 'chatbot-app-dev']);
      assert.deepEqual(credentials.clients['chatbot-app-dev'].applications, ['chatbot']);
      assert.deepEqual(credentials.clients['analytics-app'].applications, ['analytics']);
      const health = await fetch(`${credentials.bao_addr}/v1/auth/token/lookup-self`, {
        headers: { 'x-vault-token': credentials.bao_root_token },
      });
      assert.equal(health.status, 200, 'the root token in the credentials file works');
      const role = await fetch(`${credentials.bao_addr}/v1/database/roles/chatbot-users`, { headers: { 'x-vault-token': credentials.bao_root_token } });
      assert.equal(role.status, 200, 'dev configured the database engine');

      // No secret reaches the terminal or the logs.
      const openbaoLog = readFileSync(join(stateDir, 'openbao.log'), 'utf8');
      for (const secret of [credentials.bao_root_token, credentials.admin_key, credentials.clients['chatbot-app-dev'].api_key]) {
        assert.ok(!stderr.includes(secret), 'secret in dev output');
        assert.ok(!openbaoLog.includes(secret), 'secret in openbao.log');
      }

      assert.ok(isAlive(baoPid));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.equal(isAlive(baoPid), false, 'bao process left behind');
      assert.equal(existsSync(credentialsFile), false, 'stale credentials removed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('--mysql-url that does not answer fails with the reason and leaves no bao behind', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'ib-dev-')), 'state');
    const result = await runCli(['dev', '--port', '0', '--state-dir', stateDir, '--mysql-url', 'mysql://root@127.0.0.1:1'], { timeoutMs: 60_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--mysql-url: cannot log in to MySQL at 127\.0\.0\.1:1 as root \(ECONNREFUSED\)/);
    const pid = /OpenBao dev server at \S+ \(pid (\d+)\)/.exec(result.stderr)?.[1];
    assert.ok(pid && !isAlive(Number(pid)), 'bao stopped');
  });
});
