import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CATALOG } from '../../src/contract/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code as string, Number(status)]),
);

describe('docs/errors.md and the error catalog', () => {
  it('documents every code with its status', () => {
    for (const [code, { status }] of Object.entries(ERROR_CATALOG)) {
      assert.equal(documented.get(code), status, `${code} should be documented with ${status}`);
    }
  });

  it('documents no code the catalog does not know', () => {
    const unknown = [...documented.keys()].filter((code) => !(code in ERROR_CATALOG));
    assert.deepEqual(unknown, []);
  });
});
