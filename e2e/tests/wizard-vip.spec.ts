/**
 * Issue 9, chapter 5.3 (HA cluster with VIP control): a fresh two-server cluster on the mock cloud with no
 * configuration; the WebUI served by server1; config mode → the cluster generation wizard, clicked through as the
 * guide's steps say with its example values → "Apply the configuration" → OK → success. Then every agent's
 * `config.get` is compared field by field with the guide's values (packages/shared/fixtures/guide-vip.json).
 *
 * NP resolution: the guide's HTTP target (aws.amazon.com:443, SSL) is entered exactly as the guide says. This
 * closed loopback network cannot reach it, so — as the NP page itself recommends — the harness's witness is
 * added as a second target ("Protect with a witness"): the cluster then really runs here, and is guarded
 * against split brain. Apply does not contact NP targets either way.
 */
import { expect, test } from '@playwright/test';
import { ENIS, KumoCluster } from '../harness/cluster.js';
import { ClusterWebUi, GUIDE_AZ_MONITOR, GUIDE_MD } from '../harness/pages/wizard.js';
import { expectEveryAgentRunsTheGuide, expectNothingApplied, groupRunningOnMaster, guideFixture, serversOf } from '../harness/pages/wizard-applied.js';

const VPC = 'vpc-0a1b2c3d4e5f67890';

let cluster: KumoCluster;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.25', config: null });
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('chapter 5.3: the wizard builds the VIP cluster, Apply sends it to every server', async ({ page }) => {
  await expectNothingApplied(cluster);
  const fx = guideFixture('vip');
  const ui = new ClusterWebUi(page);
  await ui.open(cluster.url('server1'));
  await ui.configMode();

  // 1. クラスタの構築: Cluster → Basic Settings (server1 listed as master, server2 added by its address) →
  //    Interconnect (the private IPs, MDC mdc1) → NP Resolution (HTTP, aws.amazon.com, 443, SSL; and the witness).
  const w = await ui.startWizard();
  await w.clusterPages({ name: fx['cluster'].name, language: 'en', comment: fx['cluster'].comment, servers: serversOf(cluster), witness: cluster.witnessAddress });

  // 2. グループリソースの追加
  await w.addGroup('failover1');
  await w.addResource(GUIDE_MD);
  await w.addResource({
    type: 'awsvip',
    name: 'awsvip1',
    common: { ip: '10.1.0.20', vpcId: VPC, eniId: ENIS[0] },
    perServer: { server1: { eniId: ENIS[0] }, server2: { eniId: ENIS[1] } },
    // "[VPC ID]ボックスに [共通]タブで設定した VPC IDと同じものが設定されていることを確認します"
    perServerShows: { server1: { vpcId: VPC }, server2: { vpcId: VPC } },
  });
  await w.finish(w.n.pageGroupList);
  await w.next(w.n.pageMonitorList);

  // 3. モニタリソースの追加: the VIP monitor is there already ("自動的に追加されます"); the AZ monitor by hand.
  await w.expectAutoMonitor('awsvipw1', 'awsvip1');
  await w.expectAutoMonitor('mdw1', 'md');
  await w.expectAutoMonitor('mdnw1', 'md');
  await w.addMonitor(GUIDE_AZ_MONITOR);
  await w.finish();

  // 4. 設定の反映
  await ui.applyConfiguration();
  await expectEveryAgentRunsTheGuide(cluster, 'vip', { witness: cluster.witnessAddress });
});

test('the applied VIP cluster runs: failover1 on server1, the VIP routed to its ENI in all three route tables', async () => {
  await groupRunningOnMaster(cluster, (description) => test.info().annotations.push({ type: 'known-issue', description }));
  await cluster.waitOnline('failover1', 'server1', 'server2', 30_000);
  expect(await cluster.vipRouteTargets()).toEqual([ENIS[0], ENIS[0], ENIS[0]]);
});
