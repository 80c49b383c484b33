import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inProcessApp, memoryIssuer } from '../helpers/in-process-app.js';

describe('graceful shutdown', () => {
  it('drains an in-flight request before closing, then refuses new connections', async () => {
    const { app, key } = inProcessApp({ issuer: memoryIssuer(400) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/entities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, connection: 'close' },
      body: JSON.stringify({ application: 'chatbot', user_identifier: 'draining' }),
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    const res = await inFlight;
    assert.equal(res.status, 201);
    assert.equal((await res.json()).entity_id, 'e-chatbot:draining');
    await closing;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });
});
