import { WebSocket } from 'undici';

/**
 * Asks a Node process started with --inspect=127.0.0.1:0 to run a full GC and report its
 * V8 heap (Chrome DevTools protocol: HeapProfiler.collectGarbage, Runtime.getHeapUsage).
 * The heap left after a full GC is the live set: if it grows with issuances, that is a leak;
 * RSS alone cannot tell a leak from garbage V8 has not collected yet.
 */
export async function collectGarbage(wsUrl: string, timeoutMs = 10_000): Promise<{ used_mb: number; total_mb: number }> {
  const ws = new WebSocket(wsUrl);
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  let nextId = 1;
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  });
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  const timer = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error(`inspector at ${wsUrl} did not answer in time`)), timeoutMs);
    t.unref();
  });
  try {
    await Promise.race([new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve);
      ws.addEventListener('error', () => reject(new Error(`could not connect to the inspector at ${wsUrl}`)));
    }), timer]);
    await Promise.race([call('HeapProfiler.collectGarbage'), timer]);
    const usage = await Promise.race([call('Runtime.getHeapUsage'), timer]);
    const mb = (bytes: unknown) => Math.round((Number(bytes) / 1024 / 1024) * 100) / 100;
    return { used_mb: mb(usage['usedSize']), total_mb: mb(usage['totalSize']) };
  } finally {
    ws.close();
  }
}

/** "Debugger listening on ws://127.0.0.1:PORT/UUID" → the URL. */
export function inspectorUrl(line: string): string | undefined {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(line)?.[1];
}
