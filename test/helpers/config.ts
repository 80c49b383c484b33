import { parseConfig, type Config, type ConfigInput } from '../../src/config.js';

/** A valid config for tests against the OpenBao at `addr`; `overrides` replace top-level keys. */
export function testConfig(addr: string, overrides: Partial<ConfigInput> = {}): Config {
  return parseConfig(
    {
      listen: { host: '127.0.0.1', port: 0 },
      openbao: { addr },
      applications: { chatbot: {}, analytics: { max_ttl: '30m', default_ttl: '10m', num_uses: 50 } },
      log: { level: 'silent' },
      ...overrides,
    },
    { source: 'test config' },
  );
}
