import { createServer } from 'node:net';

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A free loopback port. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const port = await tryListen(0, host);
  if (port === undefined) throw new Error(`no free port on ${host}`);
  return port;
}

/**
 * A free port P whose neighbour P+1 is free too: `bao server -dev` puts its cluster
 * listener on PORT+1, so two servers must be spaced by 2.
 */
export async function freePortPair(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort(host);
    if (port < 65535 && (await tryListen(port + 1, host)) !== undefined) return port;
  }
  throw new Error(`no free pair of adjacent ports on ${host}`);
}
