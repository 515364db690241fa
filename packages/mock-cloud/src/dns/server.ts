/**
 * The authoritative DNS server for the emulated hosted zones: UDP and TCP (2-byte length framing) on the
 * same port. Answers come from each zone's served view, so a Route 53 change is visible only once INSYNC.
 * A malformed packet gets FORMERR when its ID can be read and is dropped otherwise; a UDP answer larger
 * than the client can take (512 bytes, or its EDNS size) is sent truncated (TC) so that it retries on TCP.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Cloud } from '../cloud.js';
import { answerQuery, RCODE, response, type QueryHeader } from './answer.js';

export interface DnsServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function answerBytes(cloud: Cloud, message: Buffer, maxUdp: number | undefined): Buffer | undefined {
  let query: QueryHeader;
  try {
    const packet = dnsPacket.decode(message);
    if (packet.type === 'response') return undefined;
    const opt = packet.additionals?.find((record) => record.type === 'OPT');
    query = {
      id: packet.id ?? 0,
      flags: packet.flags ?? 0,
      questions: packet.questions ?? [],
      ednsPayload: opt?.type === 'OPT' ? opt.udpPayloadSize : undefined,
    };
  } catch {
    if (message.length < 2) return undefined;
    return dnsPacket.encode(response({ id: message.readUInt16BE(0), flags: 0, questions: [], ednsPayload: undefined }, RCODE.FORMERR));
  }
  const packet = answerQuery(cloud.state.zones.values(), query);
  const bytes = dnsPacket.encode(packet);
  const limit = maxUdp === undefined ? Infinity : Math.max(512, Math.min(query.ednsPayload ?? 512, maxUdp));
  if (bytes.length <= limit) return bytes;
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Binds UDP and TCP on one port; with port 0, retries until a port is free for both. */
export async function startDnsServer(cloud: Cloud, host: string, port: number): Promise<DnsServer> {
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const reply = answerBytes(cloud, message, undefined);
        if (reply) {
          const frame = Buffer.alloc(2);
          frame.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([frame, reply]));
        }
      }
    });
  });

  let udp: UdpSocket | undefined;
  for (let attempt = 0; !udp; attempt++) {
    const candidate = await bindUdp(host, port);
    const bound = candidate.address().port;
    try {
      await listenTcp(tcp, host, bound);
      udp = candidate;
    } catch (error) {
      candidate.close();
      if (port !== 0 || attempt >= 20) throw error;
    }
  }
  const udpSocket = udp;
  udpSocket.on('message', (message, remote) => {
    const reply = answerBytes(cloud, message, 4096);
    if (reply) udpSocket.send(reply, remote.port, remote.address);
  });
  udpSocket.on('error', (error) => console.error('kumo-mock-cloud: DNS UDP socket:', error));

  return {
    host,
    port: (tcp.address() as AddressInfo).port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => tcp.close(() => resolve())),
        new Promise<void>((resolve) => udpSocket.close(() => resolve())),
      ]);
    },
  };
}
