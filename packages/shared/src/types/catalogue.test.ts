import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { autoMonitorsFor, defaultResourceName } from '../config/defaults.js';
import { MONITOR_TYPES, RESOURCE_TYPES } from './index.js';
import type { FieldHint } from './define.js';

const ALL = [...Object.values(RESOURCE_TYPES), ...Object.values(MONITOR_TYPES)];
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('the type catalogue', () => {
  it('has the five resource types and seven monitor types of the guide', () => {
    expect(Object.keys(RESOURCE_TYPES).sort()).toEqual(['awsdns', 'awseip', 'awsvip', 'exec', 'md']);
    expect(Object.keys(MONITOR_TYPES).sort()).toEqual(['awsazw', 'awsdnsw', 'awseipw', 'awsvipw', 'genw', 'mdnw', 'mdw']);
  });

  it.each(ALL.map((d) => [d.id, d] as const))('%s has English and Japanese labels and help', (_id, def) => {
    for (const m of [def.label, def.help]) {
      expect(m.en.trim().length).toBeGreaterThan(0);
      expect(m.ja).toMatch(JAPANESE);
    }
  });

  it.each(ALL.map((d) => [d.id, d] as const))('%s has a UI hint in both languages for every param and no stray hint', (_id, def) => {
    const params = Object.keys(def.params.shape).sort();
    const fields = def.fields as Record<string, FieldHint>;
    expect(Object.keys(fields).sort()).toEqual(params);
    for (const hint of Object.values(fields)) {
      expect(hint.label.en.length).toBeGreaterThan(0);
      expect(hint.label.ja.length).toBeGreaterThan(0);
      expect(hint.help.ja).toMatch(JAPANESE);
      if (hint.widget === 'select' && !hint.discovery) expect(hint.options?.length).toBeGreaterThan(0);
      for (const o of hint.options ?? []) expect(o.label.ja.length).toBeGreaterThan(0);
    }
  });

  it.each(ALL.map((d) => [d.id, d] as const))('%s per-server fields are params, and required ones are allowed', (_id, def) => {
    const params = Object.keys(def.params.shape);
    for (const f of def.perServer.allowed) expect(params).toContain(f);
    for (const f of def.perServer.required) expect(def.perServer.allowed).toContain(f);
  });

  it('states the guide\'s per-server fields', () => {
    expect(RESOURCE_TYPES.awsvip.perServer.required).toEqual(['eniId']);
    expect(RESOURCE_TYPES.awseip.perServer.required).toEqual(['eniId']);
    expect(RESOURCE_TYPES.awsdns.perServer.allowed).toContain('ip');
    expect(MONITOR_TYPES.awsazw.perServer.allowed).toContain('availabilityZone');
  });

  it('follows CLUSTERPRO\'s default dependencies', () => {
    expect(RESOURCE_TYPES.awsvip.defaultDependsOn).toEqual([]);
    expect(RESOURCE_TYPES.awseip.defaultDependsOn).toEqual([]);
    expect(RESOURCE_TYPES.awsdns.defaultDependsOn).toEqual(['awsvip', 'awseip']);
    expect(RESOURCE_TYPES.md.defaultDependsOn).toEqual(['awsvip', 'awseip', 'awsdns']);
    expect(RESOURCE_TYPES.exec.defaultDependsOn).toEqual(['awsvip', 'awseip', 'awsdns', 'md']);
  });

  it('gives AWS resources CLUSTERPRO\'s activation timeout of 180 + 3 × the AWS CLI timeout', () => {
    const p = RESOURCE_TYPES.awsvip.params.parse({ ip: '10.1.0.20', vpcId: 'vpc-0a1b2c3d4e5f67890', eniId: 'eni-0a1b2c3d4e5f60001' });
    expect(RESOURCE_TYPES.awsvip.timeouts(p)).toEqual({ activateS: 480, deactivateS: 480 });
  });

  it('every AWS monitor has the "AWS CLI failed" mode defaulting to a warning', () => {
    for (const def of Object.values(MONITOR_TYPES).filter((d) => d.awsMode)) {
      const mode = (def.params.shape as Record<string, z.ZodType>)['mode'];
      expect(mode, def.id).toBeDefined();
      expect(mode!.parse(undefined)).toBe('warn');
    }
  });

  it('adds the guide\'s automatic monitors with default names', () => {
    expect(autoMonitorsFor({ name: 'awsvip1', type: 'awsvip' }, [])).toMatchObject([
      { name: 'awsvipw1', type: 'awsvipw', common: { target: 'awsvip1', timing: 'active' }, recovery: { target: { kind: 'resource', name: 'awsvip1' } } },
    ]);
    expect(autoMonitorsFor({ name: 'md1', type: 'md' }, ['mdw1']).map((m) => m.name)).toEqual(['mdw2', 'mdnw1']);
    expect(autoMonitorsFor({ name: 'exec1', type: 'exec' }, [])).toEqual([]);
    expect(defaultResourceName('awsvip', ['awsvip1', 'awsvip3'])).toBe('awsvip2');
  });
});
