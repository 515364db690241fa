/**
 * A tiny relay run inside a network namespace (`ip netns exec NS node forwarder.mjs MAPPINGS`).
 * Unix sockets are files, not network endpoints, so they cross namespaces: the test process (root namespace)
 * and the agents (their own namespaces, no default route) talk only through sockets in a private directory,
 * and no packet ever addresses a namespace's IP from the root namespace (stack-notes §4).
 *
 * MAPPINGS is JSON: `[{ listen, connect, udp? }]` where an endpoint is `{ host, port }` or `{ path }`. TCP
 * mappings pipe each connection; a `udp` mapping relays each datagram over one Unix stream connection per
 * query (the root side answers with the reply and closes). Prints `{"ready":true}` once everything listens.
 */
import dgram from 'node:dgram';
import net from 'node:net';

// Plain JavaScript (no tsx loader): it starts in a tenth of the time, and the suite starts several.

/** @param {{host: string, port: number} | {path: string}} to */
function dial(to) {
  return 'path' in to ? net.connect(to.path) : net.connect(to.port, to.host);
}

function listenTcp(m) {
  const server = net.createServer((inbound) => {
    const outbound = dial(m.connect);
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', drop);
    outbound.on('error', drop);
    inbound.on('close', drop);
    outbound.on('close', drop);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if ('path' in m.listen) server.listen(m.listen.path, () => resolve());
    else server.listen(m.listen.port, m.listen.host, () => resolve());
  });
}

function listenUdp(m) {
  if ('path' in m.listen) throw new Error('a udp mapping listens on host:port');
  const { host, port } = m.listen;
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const relay = dial(m.connect);
    const chunks = [];
    relay.on('data', (d) => chunks.push(d));
    relay.on('end', () => {
      const reply = Buffer.concat(chunks);
      if (reply.length > 0) socket.send(reply, rinfo.port, rinfo.address);
    });
    relay.on('error', () => relay.destroy());
    relay.setTimeout(5000, () => relay.destroy());
    relay.end(msg);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
}

const mappings = JSON.parse(process.argv[2] ?? '[]');
await Promise.all(mappings.map((m) => (m.udp ? listenUdp(m) : listenTcp(m))));
process.stdout.write('{"ready":true}\n');
process.on('SIGTERM', () => process.exit(0));
