/**
 * The agent connection and what the page learnt about the server it talks to (`session.info`), for every feature.
 */
import { createContext, useContext, useMemo } from 'react';
import type { ReactNode } from 'react';
import type { MethodResult } from '@kumo/shared';
import type { AgentClient } from './agent-socket';

export type SessionInfo = MethodResult<'session.info'>;

interface AgentContextValue {
  readonly client: AgentClient;
  readonly session: SessionInfo | null;
  /** The host the page was loaded from (the master server's address when it is an IPv4 address). */
  readonly pageHost: string;
}

const AgentContext = createContext<AgentContextValue | null>(null);

export function AgentProvider(props: AgentContextValue & { readonly children: ReactNode }) {
  const { children, client, session, pageHost } = props;
  const value = useMemo(() => ({ client, session, pageHost }), [client, session, pageHost]);
  return <AgentContext.Provider value={value}>{children}</AgentContext.Provider>;
}

export function useAgent(): AgentContextValue {
  const v = useContext(AgentContext);
  if (!v) throw new Error('useAgent outside AgentProvider');
  return v;
}
