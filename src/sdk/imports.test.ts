import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

// STYLE.md: imports point one way, `sdk → contract`. An application that installs the SDK
// must not pull in the broker, its OpenBao admin client or its config.
describe('src/sdk imports', () => {
  it('depends only on src/contract, zod and node built-ins', () => {
    const dir = new URL('./', import.meta.url);
    const offending: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const [, target] of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
        if (!/^(\.\/|\.\.\/contract\/|zod$|node:)/.test(target as string)) offending.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
