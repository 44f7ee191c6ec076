import { createServer } from 'node:net';

/**
 * A TCP port the OS says is free right now. Ports drawn at random can fall on one the kernel just handed
 * out as an ephemeral port; asking the kernel avoids that, and callers retry on the rare lost race.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
