/**
 * The witness protocol: a server posts its state (signed with the cluster key) and gets back what the witness
 * last heard from every server of its cluster (signed too, so a fake witness cannot lie about a peer).
 */
import { z } from 'zod';
import { serviceStateSchema } from '@kumo/shared';
import { canonicalJson } from '../config/canonical.js';
import type { ClusterKey } from '../crypto/cluster-key.js';

export const WITNESS_PATH = '/kumo/witness/v1';

export const witnessReportSchema = z.object({
  cluster: z.string().min(1).max(64),
  server: z.string().min(1).max(64),
  bootId: z.string().max(64),
  service: serviceStateSchema,
  activeGroups: z.array(z.string().max(64)).max(1024),
  time: z.number(),
  nonce: z.string().length(32),
  mac: z.string().length(64),
});
export type WitnessReport = z.infer<typeof witnessReportSchema>;

export const witnessAnswerSchema = z.object({
  time: z.number(),
  nonce: z.string(),
  servers: z.record(z.string(), z.object({ lastSeenMsAgo: z.number(), service: serviceStateSchema, activeGroups: z.array(z.string()) })),
  mac: z.string().length(64),
});
export type WitnessAnswer = z.infer<typeof witnessAnswerSchema>;

export function sign<T extends { mac: string }>(key: ClusterKey, body: Omit<T, 'mac'>): T {
  return { ...body, mac: key.hmac(`witness|${canonicalJson(body)}`) } as T;
}

export function verified<T extends { mac: string }>(key: ClusterKey, signed: T): boolean {
  const { mac, ...body } = signed;
  return key.verify(`witness|${canonicalJson(body)}`, mac);
}
