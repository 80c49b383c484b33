import { APP } from '../lib/environment.js';
import { field, requestJson } from '../lib/http.js';
import type { BenchPath } from './types.js';

/** POST /v1/entities through the running broker (its own process, `serve --config`). */
export function brokerPath(options: { name?: string } = {}): BenchPath {
  let authorization = '';
  return {
    name: options.name ?? 'broker',
    summary: 'POST /v1/entities over HTTP to the broker (child process), which makes the floor call',
    calls: ['POST /v1/entities {application, user_identifier} → broker → POST /v1/auth/token/create/chatbot-user'],
    async setup({ env, brokerUrl }) {
      authorization = `Bearer ${env.apiKey}`;
      return { origin: brokerUrl };
    },
    async send(pool, user) {
      const answer = await requestJson(pool, {
        path: '/v1/entities',
        headers: { authorization },
        body: { application: APP, user_identifier: user },
        status: 201,
      });
      field(answer, 'entity_id');
    },
  };
}
