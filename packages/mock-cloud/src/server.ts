/**
 * The one HTTP listener for EC2 (`POST /`), Route 53 (`/2013-04-01/…`) and the admin API (`/_admin/…`).
 * Built without listening, so the caller owns the socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleAdmin, type AdminContext, type EventStreams } from './admin/handler.js';
import { handleEc2 } from './ec2/service.js';
import { BodyTooLarge, readBody, send } from './http-util.js';
import { handleRoute53 } from './route53/service.js';

export function buildServer(admin: AdminContext, events: EventStreams): Server {
  const server = createServer((req, res) => {
    route(admin, events, req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) send(res, 413, 'text/plain', error.message);
      else {
        console.error('kumo-mock-cloud: request failed:', error);
        send(res, 500, 'text/plain', 'kumo-mock-cloud internal error');
      }
    });
  });
  return server;
}

async function route(admin: AdminContext, events: EventStreams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mock-cloud');
  const method = req.method ?? 'GET';
  if (url.pathname === '/_admin/events' && method === 'GET') {
    events.open(req, res);
    return;
  }
  const body = await readBody(req);
  if (url.pathname.startsWith('/_admin/')) {
    handleAdmin(admin, method, url.pathname.slice('/_admin/'.length).replace(/\/$/, ''), url.searchParams, body, res);
  } else if (url.pathname.startsWith('/2013-04-01/')) {
    await handleRoute53(admin.cloud, req, res, url, body);
  } else if (url.pathname === '/' && (method === 'POST' || url.searchParams.has('Action'))) {
    await handleEc2(admin.cloud, req, res, url, body);
  } else {
    send(res, 404, 'text/plain', `kumo-mock-cloud: nothing at ${method} ${url.pathname}\n`);
  }
}
