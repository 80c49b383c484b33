import { after } from 'node:test';
import { ensureBaoBinary } from '../../src/embedded/openbao-install.js';
import { startBaoDevServer } from '../../src/embedded/openbao-server.js';
import { VaultClient } from '../../src/vault/index.js';

export interface TestBao {
  addr: string;
  rootToken: string;
  /** A client holding the root token: for arranging and inspecting, never for the code under test. */
  root: VaultClient;
  /** True when this file started the server (it is stopped after the file). */
  owned: boolean;
  /** Stops an owned server now (fault tests); throws for a shared one. */
  stop(): Promise<void>;
}

/**
 * A real OpenBao for one test file. Uses the server named by BAO_ADDR + BAO_TOKEN when both
 * are set; otherwise starts `bao server -dev` on a free loopback port and stops it after the
 * file (call it with top-level await so the cleanup belongs to the file). If bao cannot be installed or started, this throws with the reason: tests never skip.
 */
export async function startBao(options: { extraConfig?: string; owned?: boolean } = {}): Promise<TestBao> {
  const externalAddr = process.env['BAO_ADDR'];
  const externalToken = process.env['BAO_TOKEN'];
  if (externalAddr && externalToken && !options.extraConfig && !options.owned) {
    const root = VaultClient.connect({ addr: externalAddr, token: externalToken });
    after(() => root.close());
    const stop = () => Promise.reject(new Error('a shared OpenBao (BAO_ADDR) is never stopped by a test'));
    return { addr: root.addr, rootToken: externalToken, root, owned: false, stop };
  }
  const binary = ensureBaoBinary();
  const server = await startBaoDevServer({ binary, extraConfig: options.extraConfig });
  const root = VaultClient.connect({ addr: server.addr, token: server.rootToken });
  after(async () => {
    await root.close();
    await server.stop();
  });
  return { addr: server.addr, rootToken: server.rootToken, root, owned: true, stop: () => server.stop() };
}
