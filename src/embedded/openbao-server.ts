import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from './ports.js';

export interface BaoDevServerOptions {
  binary: string;
  /** Listen port; a free pair (PORT, PORT+1 for the cluster listener) is chosen when absent. */
  port?: number;
  rootToken?: string;
  /** Extra HCL passed with -config (e.g. an audit device stanza). */
  extraConfig?: string;
  /** Receives bao's output lines with the root token already redacted. */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface BaoDevServer {
  addr: string;
  rootToken: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `bao server -dev` on loopback and resolves once GET /v1/sys/health answers 200.
 * On failure the error carries the tail of bao's own output (root token redacted).
 */
export async function startBaoDevServer(options: BaoDevServerOptions): Promise<BaoDevServer> {
  let lastError: Error | undefined;
  // A port found free can be taken by a parallel test before bao binds it: retry.
  for (let attempt = 0; attempt < (options.port ? 1 : 4); attempt++) {
    try {
      return await startOnce(options, options.port ?? (await freePortPair()));
    } catch (error) {
      lastError = error as Error;
      if (!/address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('bao did not start');
}

async function startOnce(options: BaoDevServerOptions, port: number): Promise<BaoDevServer> {
  const rootToken = options.rootToken ?? `root-${randomBytes(18).toString('base64url')}`;
  const addr = `http://127.0.0.1:${port}`;
  const args = [
    'server',
    '-dev',
    `-dev-root-token-id=${rootToken}`,
    `-dev-listen-address=127.0.0.1:${port}`,
    '-dev-no-store-token',
  ];
  let configDir: string | undefined;
  if (options.extraConfig) {
    configDir = mkdtempSync(join(tmpdir(), 'bao-config-'));
    const file = join(configDir, 'extra.hcl');
    writeFileSync(file, options.extraConfig, { mode: 0o600 });
    args.push(`-config=${file}`);
  }
  const child = spawn(options.binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir() },
  });
  const tail: string[] = [];
  const onLine = (line: string) => {
    const safe = line.split(rootToken).join('[redacted]');
    tail.push(safe);
    if (tail.length > 40) tail.shift();
    options.onOutput?.(safe);
  };
  pipeLines(child, onLine);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Safety net: if this process dies without stop(), do not leave an OpenBao behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.off('exit', killOnExit);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  };

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`could not run ${options.binary}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      cleanup();
      throw new Error(`bao server -dev exited with ${child.exitCode ?? child.signalCode}:\n${tail.join('\n')}`);
    }
    if (await healthy(addr)) return { addr, rootToken, pid: child.pid ?? -1, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`bao server -dev did not become healthy on ${addr} in time:\n${tail.join('\n')}`);
}

async function healthy(addr: string): Promise<boolean> {
  try {
    const res = await fetch(`${addr}/v1/sys/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

function pipeLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
}
