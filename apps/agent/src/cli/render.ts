/** Human renderings for the `kumo` CLI: clpstat-style status, alert lines, config errors. */
import { alertMessage, STATE_WORDS } from '@kumo/shared';
import type { AlertEntry, ClusterStatus, ConfigError } from '@kumo/shared';

export function word(state: string): string {
  return (STATE_WORDS as Record<string, string>)[state] ?? state;
}

function dots(label: string, width = 18): string {
  return label.length >= width ? `${label} ` : `${label} ${'.'.repeat(width - label.length - 1)}`;
}

/** clpstat-style rendering of the status. */
export function renderStatus(s: ClusterStatus): string {
  const lines: string[] = [];
  const rule = ' =====================================================================';
  lines.push(' ========================  CLUSTER STATUS  ===========================');
  if (s.cluster.state === 'unconfigured') {
    lines.push(`  This server (${s.from}) has no cluster configuration yet.`);
    lines.push('  Create one with the cluster generation wizard in the Cluster WebUI, or run "kumo config apply FILE".');
    lines.push(rule);
    return lines.join('\n');
  }
  lines.push(`  Cluster : ${s.cluster.name ?? ''}   (${word(s.cluster.state === 'partial' ? 'online' : s.cluster.state === 'running' ? 'online' : s.cluster.state)}, master ${s.cluster.master ?? 'none'}, config v${s.cluster.configVersion ?? '-'})`);
  lines.push('  <server>');
  for (const srv of s.servers) {
    lines.push(`   ${srv.isLocal ? '*' : ' '}${dots(srv.name)}: ${word(srv.state)}${srv.isMaster ? '   (master)' : ''}`);
    for (const hb of srv.heartbeats) lines.push(`      ${`lankhb${hb.priority}`.padEnd(15)}: ${word(hb.state).padEnd(16)} Kernel Mode LAN Heartbeat (${hb.address})`);
    for (const np of srv.np) lines.push(`      ${np.kind.padEnd(15)}: ${word(np.state).padEnd(16)} ${np.target}`);
  }
  lines.push('  <group>');
  for (const g of s.groups) {
    lines.push(`    ${dots(g.name, 17)}: ${word(g.state)}${g.pending ? `   (${g.pending.operation} on ${g.pending.target ?? ''})` : ''}`);
    lines.push(`      ${'current'.padEnd(15)}: ${g.current ?? 'none'}${g.activeOn.length > 1 ? `   (active on ${g.activeOn.join(', ')}!)` : ''}`);
    for (const r of g.resources) lines.push(`      ${r.name.padEnd(15)}: ${word(r.state)}${r.message ? `   ${r.message}` : ''}`);
    if (g.message) lines.push(`      ${''.padEnd(15)}  ${g.message}`);
  }
  lines.push('  <monitor>');
  for (const m of s.monitors) {
    const per = Object.entries(m.perServer)
      .map(([server, st]) => `${server}:${word(st.state)}${st.message ? ` ${st.message}` : ''}`)
      .join('  ');
    lines.push(`    ${m.name.padEnd(17)}: ${per}`);
  }
  if (s.mirrors.length > 0) {
    lines.push('  <mirror disk>');
    for (const md of s.mirrors) {
      const colors = Object.entries(md.perServer)
        .map(([server, st]) => `${server}:${st.color}`)
        .join('  ');
      const rec = md.recovery ? `   recovering ${Math.round((md.recovery.doneBytes / Math.max(1, md.recovery.totalBytes)) * 100)} %` : '';
      lines.push(`    ${md.name.padEnd(17)}: ${md.status}   ${colors}${rec}`);
    }
  }
  lines.push(rule);
  return lines.join('\n');
}

export function renderAlert(a: AlertEntry): string {
  const t = new Date(a.time).toISOString().replace('T', ' ').slice(0, 19);
  return `${t}  ${a.server.padEnd(10)} ${a.module.padEnd(7)} ${String(a.eventId).padStart(4)} ${a.level.padEnd(7)} ${alertMessage(a, 'en')}`;
}

export function renderConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `  ${e.where}: ${e.message.en}`).join('\n');
}

