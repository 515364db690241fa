/**
 * Issue 9, chapter 7.3 (HA cluster with DNS name control), in Japanese: the WebUI served by server1 of a fresh
 * cluster is switched to 日本語, and the cluster generation wizard is clicked through by the guide's Japanese
 * names (次へ, 追加, 完了, 共通, 個別に設定する, 設定の反映 → 「設定を反映しますか。」 → OK → 「反映に成功しました。」)
 * with the guide's example values; then every agent's `config.get` against guide-dns.json.
 *
 * Two additions for this closed loopback network, both outside the guide's values: the witness as a second NP
 * target (see wizard-vip.spec.ts), and the emulator's DNS server in awsdnsw1's tuning ("調整" → "DNS サーバ"),
 * since the system resolver here does not know the private hosted zone. The IP addresses of the record are the
 * guide's (each instance's private IP in the emulated VPC), not the agents' loopback addresses.
 */
import { expect, test } from '@playwright/test';
import { KumoCluster, waitFor } from '../harness/cluster.js';
import { ClusterWebUi, GUIDE_AZ_MONITOR, GUIDE_MD } from '../harness/pages/wizard.js';
import { expectEveryAgentRunsTheGuide, expectNothingApplied, groupRunningOnMaster, guideFixture, serversOf } from '../harness/pages/wizard-applied.js';

const ZONE = 'Z0KUMOHZ1LOCAL00001A';
const RECORD = 'srv.hz1.local.';
const IPS = ['10.0.110.10', '10.0.120.10'] as const;

let cluster: KumoCluster;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.27', config: null });
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('第7章 7.3: クラスタ生成ウィザードで DNS 名制御のクラスタを構築し、設定の反映で全サーバに配布する', async ({ page }) => {
  await expectNothingApplied(cluster);
  const fx = guideFixture('dns');
  const [a1, a2] = cluster.addresses as [string, string];
  const dnsServer = `${cluster.cloud.dns.host}:${cluster.cloud.dns.port}`;
  const ui = new ClusterWebUi(page);
  await ui.open(cluster.url('server1'));
  await ui.switchLanguage('ja');
  await ui.configMode();

  // 1. クラスタの構築
  const w = await ui.startWizard();
  await w.clusterPages({ name: fx['cluster'].name, language: 'ja', comment: fx['cluster'].comment, servers: serversOf(cluster), witness: cluster.witnessAddress });

  // 2. グループリソースの追加
  await w.addGroup('failover1');
  await w.addResource(GUIDE_MD);
  await w.addResource({
    type: 'awsdns',
    name: 'awsdns1',
    common: { hostedZoneId: ZONE, recordName: RECORD, ip: IPS[0], ttl: '300' },
    checks: { deleteOnDeactivate: true },
    // 「個別に設定する」 starts from the server's own address; the guide's instance IPs replace it.
    perServerShows: { server1: { ip: a1 }, server2: { ip: a2 } },
    perServer: { server1: { ip: IPS[0] }, server2: { ip: IPS[1] } },
  });
  await w.finish(w.n.pageGroupList);
  await w.next(w.n.pageMonitorList);

  // 3. モニタリソースの追加
  await w.expectAutoMonitor('awsdnsw1', 'awsdns1');
  await w.tuneMonitor('awsdnsw1', { dnsServer });
  await w.addMonitor(GUIDE_AZ_MONITOR);
  await w.finish();

  // 4. 設定の反映
  await ui.applyConfiguration();

  await expectEveryAgentRunsTheGuide(cluster, 'dns', {
    witness: cluster.witnessAddress,
    more: (config) => {
      expect(config['groups'][0].resources[1].params).toMatchObject({ ttl: 300, deleteOnDeactivate: true });
      expect(config['monitors'].find((m: { name: string }) => m.name === 'awsdnsw1').params).toMatchObject({ dnsServer });
    },
  });
});

test('the applied DNS cluster runs: failover1 on server1, srv.hz1.local. names server1 in the hosted zone', async () => {
  await groupRunningOnMaster(cluster, (description) => test.info().annotations.push({ type: 'known-issue', description }));
  await cluster.waitOnline('failover1', 'server1', 'server2', 30_000);
  const records = () => {
    const state = cluster.cloud.state() as { hostedZones: { id: string; records: { name: string; type: string; ttl: number; values: string[] }[] }[] };
    return state.hostedZones.find((z) => z.id === ZONE)?.records ?? [];
  };
  await waitFor('the A record of srv.hz1.local.', async () => records().some((r) => r.name === RECORD && r.type === 'A'), 30_000, 300);
  expect(records().find((r) => r.name === RECORD && r.type === 'A')).toEqual({ name: RECORD, type: 'A', ttl: 300, values: [IPS[0]] });
});
