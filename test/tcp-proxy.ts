import net from "node:net";

/** One proxied connection: the test's client side and the real server's side. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A loopback TCP proxy the test controls: `stop()` makes the engine behind it "go away" for the service
 * (connections cut, new ones refused), `pause()` makes it hang (connections open, no byte answered, as a
 * SIGSTOPped server), without touching the real server, which other suites share.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<Pair>();
  private paused = false;
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = "127.0.0.1") {}

  /** Listens (again, on the same port once it has one). */
  async start(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair = { client, upstream };
      this.pairs.add(pair);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => {
          this.sockets.delete(socket);
          this.pairs.delete(pair);
        });
        socket.on("error", () => socket.destroy());
      }
      if (this.paused) halt(pair);
      else forward(pair);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Keeps every connection open (and accepts new ones) but forwards no byte either way until resume(). */
  pause(): void {
    this.paused = true;
    for (const pair of this.pairs) halt(pair);
  }

  /** Forwards again, what waited in the meantime first. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const pair of this.pairs) forward(pair);
  }

  /** Cuts every connection and refuses new ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function forward({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

// Unpiped and paused, a socket reads nothing more: what arrives waits in the kernel's buffers.
function halt({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
