/**
 * AWS discovery for the forms (`aws.discover`): VPCs, the ENIs and AZs of the servers, EIP allocations, hosted
 * zones, route tables. Each list is asked for once per page load and shared by every field that needs it. When
 * the agent has no AWS part (`KUMO_E_BAD_REQUEST … not available`) or AWS cannot be reached, fields stay plain
 * text inputs and say why; nothing else depends on discovery.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { MethodParams, MethodResult } from '@kumo/shared';
import { useAgent } from '../../lib/agent-context';
import { isUnavailable } from '../../lib/i18n/error-text';

export type DiscoverWhat = MethodParams<'aws.discover'>['what'];
export type DiscoveryItem = MethodResult<'aws.discover'>['items'][number];

export type DiscoveryState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly items: readonly DiscoveryItem[] }
  | { readonly status: 'unavailable' }
  | { readonly status: 'failed'; readonly error: unknown };

interface DiscoveryContextValue {
  readonly states: Readonly<Record<string, DiscoveryState>>;
  readonly want: (what: DiscoverWhat, vpcId?: string) => void;
}

const DiscoveryContext = createContext<DiscoveryContextValue | null>(null);

const keyOf = (what: DiscoverWhat, vpcId?: string) => (vpcId ? `${what}@${vpcId}` : what);

export function DiscoveryProvider({ children }: { children: ReactNode }) {
  const { client } = useAgent();
  const [states, setStates] = useState<Record<string, DiscoveryState>>({});
  const asked = useRef(new Set<string>());
  const unavailable = useRef(false);
  const want = useCallback(
    (what: DiscoverWhat, vpcId?: string) => {
      const key = keyOf(what, vpcId);
      if (asked.current.has(key)) return;
      asked.current.add(key);
      if (unavailable.current) {
        setStates((s) => ({ ...s, [key]: { status: 'unavailable' } }));
        return;
      }
      setStates((s) => ({ ...s, [key]: { status: 'loading' } }));
      client.request('aws.discover', vpcId ? { what, vpcId } : { what }).then(
        (r) => setStates((s) => ({ ...s, [key]: { status: 'ready', items: r.items } })),
        (error: unknown) => {
          if (isUnavailable(error)) unavailable.current = true;
          setStates((s) => ({ ...s, [key]: isUnavailable(error) ? { status: 'unavailable' } : { status: 'failed', error } }));
        },
      );
    },
    [client],
  );
  const value = useMemo(() => ({ states, want }), [states, want]);
  return <DiscoveryContext.Provider value={value}>{children}</DiscoveryContext.Provider>;
}

/** A discovered list; `what: null` asks for nothing (for fields without discovery). */
export function useDiscovery(what: DiscoverWhat | null, vpcId?: string): DiscoveryState | null {
  const ctx = useContext(DiscoveryContext);
  const want = ctx?.want;
  useEffect(() => {
    if (what && want) want(what, vpcId);
  }, [what, vpcId, want]);
  if (!what || !ctx) return null;
  return ctx.states[keyOf(what, vpcId)] ?? { status: 'loading' };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What discovery knows about the instance with this private IP: its ENI, AZ and instance ID. */
export interface ServerFacts {
  readonly eniId?: string;
  readonly availabilityZone?: string;
  readonly instanceId?: string;
}

export function serverFacts(enis: DiscoveryState | null, instances: DiscoveryState | null, address: string): ServerFacts {
  const facts: { eniId?: string; availabilityZone?: string; instanceId?: string } = {};
  if (enis?.status === 'ready') {
    const eni = enis.items.find((i) => i.detail?.['privateIp'] === address);
    if (eni) {
      facts.eniId = eni.id;
      const az = str(eni.detail?.['availabilityZone']);
      const inst = str(eni.detail?.['instanceId']);
      if (az) facts.availabilityZone = az;
      if (inst) facts.instanceId = inst;
    }
  }
  if (instances?.status === 'ready') {
    const inst = instances.items.find((i) => i.detail?.['privateIp'] === address);
    if (inst) {
      facts.instanceId ??= inst.id;
      const az = str(inst.detail?.['availabilityZone']);
      if (az) facts.availabilityZone ??= az;
    }
  }
  return facts;
}
