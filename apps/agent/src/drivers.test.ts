import { describe, expect, it } from 'vitest';
import { MONITOR_TYPE_IDS, RESOURCE_TYPE_IDS } from '@kumo/shared';
import { builtinMonitorDrivers, builtinResourceDrivers } from './drivers.js';

describe('the driver registry', () => {
  it('has exactly one driver for every resource type of the catalogue, and no driver without a type', () => {
    expect(builtinResourceDrivers.map((d) => d.type).sort()).toEqual([...RESOURCE_TYPE_IDS].sort());
  });

  it('has exactly one driver for every monitor type of the catalogue, and no driver without a type', () => {
    expect(builtinMonitorDrivers.map((d) => d.type).sort()).toEqual([...MONITOR_TYPE_IDS].sort());
  });
});
