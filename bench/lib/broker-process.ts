import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { statusMb } from './procfs.js';

/**
 * The broker as production runs it: `identity-broker serve --config FILE` in its own Node
 * process, so its RSS and CPU are its own and it does not share an event loop with the
 * load generator.
 *
 * runtime "dist" compiles src/ once per run with the project's tsc (what `npm run build`
 * ships); "tsx" runs the TypeScript source through the tsx loader, whose module hooks
 * thread and transform cache add memory that a deployed broker does not carry.
 */
export type BrokerRuntime = 'dist' | 'tsx';

/**
 * "cli": the real `identity-broker serve` (src/cli/main.ts, which loads every command).
 * "serve-only": a launcher that registers only the serve command — the same broker, minus
 * the modules other commands load; a measurement of what lazy command loading would save.
 */
export type BrokerEntry = 'cli' | 'serve-only';

export interface BrokerChild {
  url: string;
  pid: number;
  /** Peak resident set so far (VmHWM), MB. */
  peakRssMb(): number;
  rssMb(): number;
  /** SIGTERM (the broker drains, then exits), SIGKILL after 10 s. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface BrokerChildOptions {
  root: string;
  runtime: BrokerRuntime;
  /** From prepareRuntime for "dist". */
  distDir?: string;
  entry?: BrokerEntry;
  configFile: string;
  nodeArgs?: string[];
  startTimeoutMs?: number;
  onExitUnexpectedly?: (why: string) => void;
  /** Every output line (stdout and stderr), e.g. for --trace-gc. */
  onLine?: (line: string) => void;
}

/** Compiles src/ into `<workDir>/dist`, next to a copy of package.json and a node_modules link. */
export function compileBroker(root: string, workDir: string, onWarning?: (line: string) => void): string {
  const out = join(workDir, 'broker-build');
  mkdirSync(out, { recursive: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(out, 'dist'), '--sourceMap', 'false', '--declaration', 'false'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  // Type errors still emit JavaScript; only a missing entry point stops the run.
  if (!existsSync(join(out, 'dist', 'cli', 'main.js'))) throw new Error(`compiling the broker failed:\n${(result.stdout + result.stderr).slice(-2000)}`);
  if (result.status !== 0) onWarning?.(`tsc reported errors in src/ (JavaScript emitted anyway):\n${(result.stdout + result.stderr).slice(-1000)}`);
  // main.ts reads ../package.json for its version; packages resolve through the link.
  copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
  return join(out, 'dist');
}

function serveOnlyLauncher(distDir: string): string {
  const file = join(distDir, '..', 'serve-only.mjs');
  writeFileSync(
    file,
    [
      "import { Command } from 'commander';",
      "import { registerServe } from './dist/cli/serve.js';",
      "const program = new Command('identity-broker');",
      'registerServe(program);',
      'await program.parseAsync(process.argv);',
      '',
    ].join('\n'),
  );
  return file;
}

/** Writes a broker config (YAML, as an operator would) and returns its path. */
export function writeBrokerConfig(file: string, config: Record<string, unknown>): string {
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

export async function startBrokerChild(options: BrokerChildOptions): Promise<BrokerChild> {
  const entry =
    options.runtime === 'tsx'
      ? ['--import', 'tsx', join(options.root, 'src', 'cli', 'main.ts')]
      : options.entry === 'serve-only'
        ? [serveOnlyLauncher(options.distDir ?? '')]
        : [join(options.distDir ?? '', 'cli', 'main.js')];
  const args = [...(options.nodeArgs ?? []), ...entry, 'serve', '--config', options.configFile];
  const child = spawn(process.execPath, args, {
    cwd: options.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NODE_ENV: 'production' },
  });
  const pid = child.pid ?? -1;
  child.once('error', (error) => tail.push(`spawn failed: ${error.message}`));
  const tail: string[] = [];
  let resolveUrl: (url: string) => void = () => undefined;
  let buffer = '';
  const onData = (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      options.onLine?.(line);
      tail.push(line.slice(0, 500));
      if (tail.length > 30) tail.shift();
      try {
        const record = JSON.parse(line) as { msg?: string; url?: string };
        if (record.msg === 'identity-broker listening' && record.url) resolveUrl(record.url);
      } catch {
        // Not a log record (e.g. a Node warning on stderr).
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  let stopping = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) options.onExitUnexpectedly?.(`broker exited with ${code ?? signal}:\n${tail.join('\n')}`);
      resolve(code);
    }),
  );
  // Safety net: if this process dies without stop(), do not leave a broker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<number | null> => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    return child.exitCode;
  };

  // Settles once: the listening log line, an early exit, or the start deadline.
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in time:\n${tail.join('\n')}`)), options.startTimeoutMs ?? 60_000);
    resolveUrl = (url) => {
      clearTimeout(timer);
      resolve(url);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code} before listening:\n${tail.join('\n')}`));
    });
  });
  try {
    const url = await listening;
    return { url, pid, peakRssMb: () => statusMb(pid, 'VmHWM'), rssMb: () => statusMb(pid, 'VmRSS'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
