/**
 * Issue 9: what the cluster generation wizard refuses, with the message beside the field, and that nothing reaches
 * the servers — `config.get` on both agents still answers "no configuration" afterwards.
 *
 * - An upper-case Route 53 record name (chapter 7's "SRV.hz1.local."): the field says why, Finish is refused.
 * - No ENI ID on server2's tab of the AWS virtual IP (chapter 5's required per-server value): Finish is refused,
 *   the server2 tab is marked, and its ENI ID field says what to do.
 * - A VIP inside the VPC CIDR (10.0.5.20 in 10.0.0.0/16): the catalogue cannot know the VPC, so the wizard warns
 *   on the Details page (from AWS discovery) but accepts it; the confirmation "Apply the configuration?" shows the
 *   agent's preflight failure before anything is sent.
 *   Cancel there applies nothing. An administrator who presses OK anyway gets the configuration applied, and the
 *   VIP's activation fails with "7 : The VIP address 10.0.5.20 belongs to a VPC subnet." (last test, as it applies).
 */
import { expect, test } from '@playwright/test';
import { ENIS, KumoCluster, waitFor } from '../harness/cluster.js';
import { ClusterWebUi } from '../harness/pages/wizard.js';
import type { Wizard } from '../harness/pages/wizard.js';
import { configOfEveryAgent, expectNothingApplied, serversOf } from '../harness/pages/wizard-applied.js';

const VPC = 'vpc-0a1b2c3d4e5f67890';

let cluster: KumoCluster;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.28', config: null });
});

test.afterAll(async () => {
  await cluster?.stop();
});

/** Opens the WebUI on server1 and walks the wizard to the Group Resource List of failover1. */
async function toGroupResourceList(ui: ClusterWebUi): Promise<Wizard> {
  await ui.open(cluster.url('server1'));
  await ui.configMode();
  const w = await ui.startWizard();
  await w.clusterPages({ name: 'cluster', language: 'en', servers: serversOf(cluster), witness: cluster.witnessAddress });
  await w.addGroup('failover1');
  return w;
}

test('an upper-case record name: the field says Route 53 names are lower case, Finish is refused, nothing is applied', async ({ page }) => {
  const ui = new ClusterWebUi(page);
  const w = await toGroupResourceList(ui);
  await w.openResource('awsdns', 'awsdns1');
  await w.fillFields({ hostedZoneId: 'Z0KUMOHZ1LOCAL00001A', recordName: 'SRV.hz1.local.', ip: '10.0.110.10' });
  const message = '"SRV.hz1.local." contains upper-case letters; Route 53 record names must be written in lower case';
  await w.expectFieldError(w.n.fields.recordName, message);

  await w.finish();
  await w.expectRefused(w.n.pageDetails);
  await expect(w.refusal()).toHaveText('This page has 1 error; fix it to continue.');
  await w.expectFieldError(w.n.fields.recordName, message);

  // Written in lower case, the same name is accepted.
  await w.fillFields({ recordName: 'srv.hz1.local.' });
  await w.expectNoFieldError(w.n.fields.recordName);
  await expect(w.refusal()).toHaveCount(0);

  // The administrator gives up instead: nothing was sent anywhere.
  await w.discard(w.n.pageGroupResourceList);
  await expect(page.getByRole('group', { name: 'awsdns1', exact: true })).toHaveCount(0);
  await w.discard(w.n.pageGroupList);
  await w.leave();
  await expectNothingApplied(cluster);
});

test('no ENI ID on server2\'s tab: Finish is refused, server2\'s tab and field say what to enter, nothing is applied', async ({ page }) => {
  const ui = new ClusterWebUi(page);
  const w = await toGroupResourceList(ui);
  await w.openResource('awsvip', 'awsvip1');
  await w.detailsTabs({ common: { ip: '10.1.0.20', vpcId: VPC, eniId: ENIS[0] }, perServer: { server1: { eniId: ENIS[0] }, server2: {} } });
  await expect(w.field(w.n.fields.eniId)).toHaveValue('');

  await w.tab(w.n.common).click();
  await w.finish();
  await w.expectRefused(w.n.pageDetails);
  await expect(w.refusal()).toHaveText('This page has 1 error; fix it to continue.');
  // From the Common tab, the failing tab is named and can be opened.
  await expect(page.getByRole('status').filter({ hasText: w.n.errorsOnTab('server2') })).toBeVisible();
  await expect(w.tab('server2')).toHaveAccessibleDescription(w.n.errorsOnTab('server2'));
  await expect(w.tab('server1')).not.toHaveAccessibleDescription(w.n.errorsOnTab('server1'));
  await w.button(w.n.showTab('server2')).click();
  await expect(w.tab('server2')).toHaveAttribute('aria-selected', 'true');
  await expect(w.field(w.n.setUpIndividually)).toBeChecked();
  await w.expectFieldError(w.n.fields.eniId, '"ENI ID" must be set individually for server2: on the server2 tab tick "Set up individually" and enter server2\'s own value');

  // Finish stays refused while the value is missing.
  await w.finish();
  await w.expectRefused(w.n.pageDetails);

  await w.discard(w.n.pageGroupResourceList);
  await w.discard(w.n.pageGroupList);
  await w.leave();
  await expectNothingApplied(cluster);
});

const VIP_IN_CIDR = 'The VIP address 10.0.5.20 belongs to a VPC subnet.';

/**
 * The VIP cluster of chapter 5 without the mirror disk, with the VIP 10.0.5.20, up to the editor. Its Details page
 * already says, below the fields, that the address belongs to a VPC subnet (from the VPC's CIDR that AWS discovery
 * gives); it is a warning, not an error, so Finish goes on.
 */
async function vipInsideCidrCluster(ui: ClusterWebUi): Promise<void> {
  const w = await toGroupResourceList(ui);
  await w.openResource('awsvip', 'awsvip1');
  await w.detailsTabs({ common: { ip: '10.0.5.20', vpcId: VPC, eniId: ENIS[0] } });
  const info = ui.page.getByRole('region', { name: w.n.routeTablesTitle, exact: true });
  await expect(info).toContainText(`${VIP_IN_CIDR} Choose a VIP outside the VPC CIDR 10.0.0.0/16`);
  await w.detailsTabs({ common: {}, perServer: { server1: { eniId: ENIS[0] }, server2: { eniId: ENIS[1] } } });
  await w.finish(w.n.pageGroupResourceList);
  await w.finish(w.n.pageGroupList);
  await w.next(w.n.pageMonitorList);
  await w.expectAutoMonitor('awsvipw1', 'awsvip1');
  await w.finish();
}

test('a VIP inside the VPC CIDR: the confirmation shows the preflight failure and its fix; Cancel applies nothing', async ({ page }) => {
  const ui = new ClusterWebUi(page);
  await vipInsideCidrCluster(ui);
  const apply = await ui.openApply();
  await expect(apply.dialog).toContainText(ui.n.applyConfirm);
  const failures = await apply.preflightFailures();
  // The VIP's own problem with its fix, and (a consequence) no route table holds 10.0.5.20/32.
  expect(failures).toHaveLength(2);
  expect(failures[0]).toContain(`awsvip1: ${VIP_IN_CIDR}`);
  expect(failures[0]).toContain('Choose a VIP outside the VPC CIDR 10.0.0.0/16');
  expect(failures[1]).toContain('awsvip1: No route table of vpc-0a1b2c3d4e5f67890 has a route for 10.0.5.20/32.');
  // The warning does not forbid Apply in this UI (see the report): OK stays enabled.
  await expect(apply.dialog.getByRole('button', { name: ui.n.ok, exact: true })).toBeEnabled();
  await apply.cancel();
  await expectNothingApplied(cluster);
});

test('a VIP inside the VPC CIDR applied anyway: the configuration is applied, and awsvip1 fails to activate with 7', async ({ page }) => {
  const ui = new ClusterWebUi(page);
  await vipInsideCidrCluster(ui);
  const apply = await ui.openApply();
  await apply.preflightFailures();
  await apply.ok();
  await apply.expectSuccess();
  await apply.close();

  const docs = await configOfEveryAgent(cluster);
  for (const { doc } of docs) expect((doc.config as { groups: { resources: { params: { ip: string } }[] }[] }).groups[0]?.resources[0]?.params.ip).toBe('10.0.5.20');
  const failed = await waitFor(
    'awsvip1 to fail to activate',
    async () => {
      const { entries } = await (await cluster.client('server1')).call('alerts.query', { limit: 200, level: 'error' });
      return entries.find((a) => a.key === 'resourceActivationFailed' && a.args[0] === 'awsvip1');
    },
    60_000,
    500,
  );
  expect(failed.args).toEqual(['awsvip1', 7, VIP_IN_CIDR]);
  expect(failed.message).toBe(`Activating awsvip1 resource has failed.(7 : ${VIP_IN_CIDR})`);
  // No route table got a route for it.
  expect(await cluster.vipRouteTargets('10.0.5.20/32')).toEqual([undefined, undefined, undefined]);
});
