import { describe, expect, it } from 'vitest';
import { ALERTS, renderAlert } from '../alerts/catalogue.js';
import { ERROR_CODES } from './error-codes.js';
import { heartbeatSchema, orderSchema, peerBodySchema } from './peer-messages.js';
import { METHODS, uiRequestSchema, uiServerMessageSchema } from './ui-messages.js';

describe('the WebUI protocol', () => {
  it('declares every method with params, result and an access level, named domain.verb', () => {
    for (const [name, def] of Object.entries(METHODS)) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(['public', 'reference', 'operate']).toContain(def.access);
    }
    expect(METHODS['group.move'].access).toBe('operate');
    expect(METHODS['status.get'].access).toBe('reference');
  });

  it('parses a request envelope and refuses an unknown method', () => {
    expect(uiRequestSchema.safeParse({ kind: 'request', id: '1', method: 'group.move', params: { group: 'failover1' } }).success).toBe(true);
    expect(uiRequestSchema.safeParse({ kind: 'request', id: '1', method: 'group.explode', params: {} }).success).toBe(false);
    expect(METHODS['group.move'].params.safeParse({ group: '' }).success).toBe(false);
  });

  it('tells responses and events apart by their discriminators', () => {
    const ok = uiServerMessageSchema.parse({ kind: 'response', id: '7', ok: true, result: { ok: true } });
    expect(ok.kind).toBe('response');
    const bad = uiServerMessageSchema.safeParse({ kind: 'response', id: '7', ok: false, error: { code: 'KUMO_E_NOPE', message: 'x' } });
    expect(bad.success).toBe(false);
    const alert = uiServerMessageSchema.parse({
      kind: 'event',
      event: 'alert',
      data: { id: 1, time: 1, server: 'server1', module: 'rc', eventId: 30, level: 'info', key: 'resourceActivating', args: ['awsvip1'], message: 'Activating awsvip1 resource has started.' },
    });
    expect(alert.kind === 'event' && alert.event).toBe('alert');
  });
});

describe('the peer protocol', () => {
  it('parses orders and bodies and refuses unknown kinds', () => {
    expect(orderSchema.safeParse({ id: 'o1', kind: 'group.activate', group: 'failover1', reason: 'failover', canFailover: true }).success).toBe(true);
    expect(orderSchema.safeParse({ id: 'o1', kind: 'group.teleport', group: 'failover1' }).success).toBe(false);
    expect(peerBodySchema.safeParse({ type: 'req', id: 'r1', req: { op: 'config.commit', txId: 't' } }).success).toBe(true);
    expect(heartbeatSchema.safeParse({ v: 1, cluster: 'c', server: 's', bootId: 'b', seq: 0, time: 1, service: 'running', configHash: null, interconnect: 1 }).success).toBe(false);
  });
});

describe('catalogues', () => {
  it('every error code has an HTTP status and a sentence in both languages', () => {
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^KUMO_E_[A-Z_]+$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.message.en).toMatch(/\.$/);
      expect(def.message.ja.length).toBeGreaterThan(0);
    }
  });

  it('renders CLUSTERPRO\'s alert texts with their arguments, in English and Japanese', () => {
    expect(renderAlert('resourceActivationFailed', ['awsvip1', 7, 'The VIP address 10.0.5.20 belongs to a VPC subnet.'])).toBe(
      'Activating awsvip1 resource has failed.(7 : The VIP address 10.0.5.20 belongs to a VPC subnet.)',
    );
    expect(renderAlert('monitorError', ['awsvipw1', 8, 'The routing for VIP 10.1.0.20 was changed.'])).toBe(
      'Detected an error in monitoring awsvipw1. (8 : The routing for VIP 10.1.0.20 was changed.)',
    );
    expect(renderAlert('serverStopped', ['server1'], 'ja')).toBe('サーバ server1 が停止しました。');
    for (const def of Object.values(ALERTS)) {
      const placeholders = (s: string) => [...s.matchAll(/%\d/g)].map((m) => m[0]).sort();
      expect(placeholders(def.ja)).toEqual(placeholders(def.en));
    }
  });
});
