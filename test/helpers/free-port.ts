import { createServer } from 'node:net';

/**
 * A TCP port free right now on 127.0.0.1, chosen by the OS (for a service that must keep its port across a
 * restart, or a child process given PORT). A random pick in a fixed range can collide with the ephemeral
 * ports the simulators of parallel tests hold.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
