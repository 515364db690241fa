/**
 * Page objects for the Cluster WebUI's config mode as the guide's chapters 5.3, 6.3 and 7.3 use it: the toolbar
 * (mode, display language), the cluster generation wizard page by page, and "Apply the configuration". Every
 * control is found by role and accessible name (the guide's words, English or Japanese), never by CSS.
 */
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { NAMES } from './wizard-names.js';
import type { UiLang, UiNames } from './wizard-names.js';

export type { UiLang, UiNames };

/** Clicks through a wizard page may wait on the agent (probe, discovery); generous, never a timing assertion. */
const SLOW = { timeout: 30_000 };

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The field values of one tab of a details page, by the catalogue's field key. */
export type FieldValues = Partial<Record<keyof UiNames['fields'], string>>;

export class ClusterWebUi {
  /** The names in the display language the page shows now. */
  n: UiNames;

  constructor(
    readonly page: Page,
    lang: UiLang = 'en',
  ) {
    this.n = NAMES[lang];
  }

  /** Opens the WebUI an agent serves and waits until it knows which mode to show. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.modeSelect()).toBeEnabled(SLOW);
  }

  modeSelect(): Locator {
    return this.page.getByRole('combobox', { name: this.n.mode, exact: true });
  }

  /** The toolbar's language switch ("English" / "日本語"); the names used from then on follow it. */
  async switchLanguage(lang: UiLang): Promise<void> {
    await this.page.getByRole('button', { name: lang === 'ja' ? '日本語' : 'English', exact: true }).click();
    this.n = NAMES[lang];
    await expect(this.modeSelect()).toBeVisible();
  }

  /** The guide: "Cluster WebUI の設定モード". */
  async configMode(): Promise<void> {
    await this.modeSelect().selectOption({ label: this.n.configMode });
    await expect(this.modeSelect()).toHaveValue('config');
  }

  /** The guide's step 1: "[クラスタ生成ウィザード]をクリックします". */
  async startWizard(): Promise<Wizard> {
    await this.page.getByRole('button', { name: this.n.startWizard, exact: true }).click();
    const w = new Wizard(this.page, this.n);
    await w.expectPage(this.n.pageCluster);
    return w;
  }

  /** The editor's toolbar button "Apply the configuration" (設定の反映), which opens the confirmation. */
  async openApply(): Promise<ApplyDialog> {
    await this.page.getByRole('button', { name: this.n.applyConfig, exact: true }).click();
    const dialog = this.page.getByRole('alertdialog', { name: this.n.applyDialog, exact: true });
    await expect(dialog).toBeVisible();
    return new ApplyDialog(dialog, this.n);
  }

  /** The guide's "設定の反映": "設定を反映しますか。" → OK → "反映に成功しました。" → OK. */
  async applyConfiguration(): Promise<void> {
    const d = await this.openApply();
    await expect(d.dialog).toContainText(this.n.applyConfirm);
    await d.ok();
    await d.expectSuccess();
    await d.close();
  }
}

export class ApplyDialog {
  constructor(
    readonly dialog: Locator,
    readonly n: UiNames,
  ) {}

  /** The preflight's result inside the confirmation, once it has run: the failures it lists, one per line. */
  async preflightFailures(): Promise<string[]> {
    const list = this.dialog.getByRole('list', { name: this.n.preflight, exact: true });
    await expect(this.dialog.getByRole('alert').filter({ hasText: this.n.preflightFailures })).toBeVisible(SLOW);
    return list.getByRole('listitem').allInnerTexts();
  }

  async ok(): Promise<void> {
    await this.dialog.getByRole('button', { name: this.n.ok, exact: true }).click();
  }

  async cancel(): Promise<void> {
    await this.dialog.getByRole('button', { name: this.n.cancel, exact: true }).click();
    await expect(this.dialog).toBeHidden();
  }

  async expectSuccess(): Promise<void> {
    await expect(this.dialog.getByRole('status').filter({ hasText: this.n.applySuccess })).toBeVisible({ timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.dialog.getByRole('button', { name: this.n.ok, exact: true }).click();
    await expect(this.dialog).toBeHidden();
  }
}

/** A resource the Group Resource List adds: Info → Dependency → Recovery Operation → Details. */
export interface ResourceSpec {
  type: keyof UiNames['types'];
  name: string;
  /** The Common tab. */
  common: FieldValues;
  /** Each server's tab: "Set up individually", then these values. */
  perServer?: Record<string, FieldValues>;
  /** Values a server's tab must show after "Set up individually", before anything is typed (the guide: "確認します"). */
  perServerShows?: Record<string, FieldValues>;
  /** Checkboxes of the Common tab to set (e.g. deleteOnDeactivate). */
  checks?: Partial<Record<keyof UiNames['fields'], boolean>>;
}

export interface MonitorSpec {
  type: keyof UiNames['types'];
  name: string;
  common: FieldValues;
  perServer?: Record<string, FieldValues>;
  recoveryTarget: 'LocalServer';
}

export class Wizard {
  constructor(
    readonly page: Page,
    readonly n: UiNames,
  ) {}

  heading(title: string): Locator {
    return this.page.getByRole('heading', { level: 2, name: title, exact: true });
  }

  async expectPage(title: string): Promise<void> {
    await expect(this.heading(title)).toBeVisible(SLOW);
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** The message under the navigation when Next or Finish was refused. */
  refusal(): Locator {
    return this.page.getByRole('alert').filter({ hasText: this.n.pageHasErrors });
  }

  async next(then: string): Promise<void> {
    await this.button(this.n.next).click();
    await this.expectPage(then);
  }

  async finish(then?: string): Promise<void> {
    await this.button(this.n.finish).click();
    if (then) await this.expectPage(then);
  }

  async add(then: string): Promise<void> {
    await this.button(this.n.add).click();
    await this.expectPage(then);
  }

  // Cluster → Basic Settings → Interconnect → NP Resolution (chapter x.3 "クラスタの構築")

  /** [クラスタ名] and [言語], then Next. */
  async clusterPage(opts: { name: string; language: UiLang; comment?: string }): Promise<void> {
    await this.expectPage(this.n.pageCluster);
    await this.field(this.n.clusterName).fill(opts.name);
    await this.field(this.n.language).selectOption({ label: this.n.langOption[opts.language] });
    if (opts.comment !== undefined) await this.field(this.n.comment).fill(opts.comment);
    await this.next(this.n.pageBasic);
  }

  /** The connected server is listed as master; [追加] registers the others by their private IP. */
  async basicSettings(opts: { master: { name: string; address: string }; add: { name: string; address: string }[] }): Promise<void> {
    const master = this.page.getByRole('group', { name: opts.master.name, exact: true });
    await expect(master).toBeVisible();
    await expect(master.getByText(this.n.masterServer, { exact: true })).toBeVisible();
    await expect(master.getByLabel(this.n.addressOf(opts.master.name), { exact: true })).toHaveValue(opts.master.address);
    for (const s of opts.add) {
      await this.button(this.n.add).click();
      const dialog = this.page.getByRole('dialog', { name: this.n.addServer, exact: true });
      await dialog.getByLabel(this.n.ipAddress, { exact: true }).fill(s.address);
      await dialog.getByRole('button', { name: this.n.ok, exact: true }).click();
      await expect(dialog).toBeHidden(SLOW);
      const row = this.page.getByRole('group', { name: s.name, exact: true });
      await expect(row.getByLabel(this.n.addressOf(s.name), { exact: true })).toHaveValue(s.address);
    }
    await this.next(this.n.pageInterconnect);
  }

  /** The interconnect addresses (each server's private IP) and [MDC] mdc1. */
  async interconnect(opts: { addresses: Record<string, string>; mdc: string }): Promise<void> {
    const row = this.page.getByRole('group', { name: this.n.interconnectRow(1), exact: true });
    for (const [server, address] of Object.entries(opts.addresses)) {
      const f = row.getByLabel(server, { exact: true });
      await f.fill(address);
      await expect(f).toHaveValue(address);
    }
    await row.getByLabel(this.n.mdc, { exact: true }).selectOption({ label: opts.mdc });
    await this.next(this.n.pageNp);
  }

  /** NP resolution of the HTTP type (the guide's), and optionally the witness the page offers against split brain. */
  async npResolution(opts: { http: { host: string; port: number; ssl: boolean }; witness?: { host: string; port: number } }): Promise<void> {
    await this.button(this.n.add).click();
    const t1 = this.page.getByRole('group', { name: this.n.npTarget(1), exact: true });
    await expect(t1.getByLabel(this.n.type, { exact: true })).toHaveValue('http');
    await t1.getByLabel(this.n.targetHost, { exact: true }).fill(opts.http.host);
    await t1.getByLabel(this.n.servicePort, { exact: true }).fill(String(opts.http.port));
    await t1.getByLabel(this.n.useSsl, { exact: true }).setChecked(opts.http.ssl);
    if (opts.witness) {
      await expect(this.page.getByRole('note', { name: this.n.splitBrainNote, exact: true })).toBeVisible();
      await this.button(this.n.addWitness).click();
      const t2 = this.page.getByRole('group', { name: this.n.npTarget(2), exact: true });
      await expect(t2.getByLabel(this.n.type, { exact: true })).toHaveValue('witness');
      await t2.getByLabel(this.n.targetHost, { exact: true }).fill(opts.witness.host);
      await t2.getByLabel(this.n.servicePort, { exact: true }).fill(String(opts.witness.port));
      await expect(this.page.getByRole('note', { name: this.n.splitBrainNote, exact: true })).toHaveCount(0);
    }
    await this.next(this.n.pageGroupList);
  }

  /** Chapter x.3 "1. クラスタの構築" in one go: Cluster → Basic Settings → Interconnect → NP Resolution → Group List. */
  async clusterPages(opts: { name: string; language: UiLang; comment?: string; servers: { name: string; address: string }[]; witness?: { host: string; port: number } | undefined }): Promise<void> {
    const [master, ...others] = opts.servers;
    if (!master) throw new Error('no servers');
    await this.clusterPage({ name: opts.name, language: opts.language, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) });
    await this.basicSettings({ master, add: others });
    await this.interconnect({ addresses: Object.fromEntries(opts.servers.map((s) => [s.name, s.address])), mdc: 'mdc1' });
    await this.npResolution({ http: { host: 'aws.amazon.com', port: 443, ssl: true }, ...(opts.witness ? { witness: opts.witness } : {}) });
  }

  /** Cancel on a sub-wizard (a resource, a group): "Discard the changes?" → OK; back on the page that opened it. */
  async discard(then: string): Promise<void> {
    await this.button(this.n.cancel).click();
    const ask = this.page.getByRole('alertdialog', { name: this.n.discardTitle, exact: true });
    await ask.getByRole('button', { name: this.n.ok, exact: true }).click();
    await this.expectPage(then);
  }

  /** Cancel on the cluster generation wizard itself: "Leave the wizard?" → OK. */
  async leave(): Promise<void> {
    await this.button(this.n.cancel).click();
    const ask = this.page.getByRole('alertdialog', { name: this.n.leaveWizardTitle, exact: true });
    await ask.getByRole('button', { name: this.n.ok, exact: true }).click();
    await expect(ask).toBeHidden();
    await expect(this.heading(this.n.pageCluster)).toBeHidden();
  }

  /** A field shows this error beside it: marked invalid, the message part of its accessible description. */
  async expectFieldError(label: string, message: RegExp | string): Promise<void> {
    const f = this.field(label);
    await expect(f).toHaveAttribute('aria-invalid', 'true');
    await expect(f).toHaveAccessibleDescription(typeof message === 'string' ? new RegExp(escapeRe(message)) : message);
  }

  async expectNoFieldError(label: string): Promise<void> {
    await expect(this.field(label)).not.toHaveAttribute('aria-invalid', 'true');
  }

  /** Next or Finish was refused: the page stays, and says how many errors it has. */
  async expectRefused(stays: string): Promise<void> {
    await expect(this.refusal()).toBeVisible();
    await expect(this.heading(stays)).toBeVisible();
  }

  // Group List → Group Definition → Startup Servers → Group Attributes → Group Resource List ("グループの定義")

  async addGroup(name: string): Promise<void> {
    await this.add(this.n.pageGroupDefinition);
    await this.field(this.n.name).fill(name);
    await this.next(this.n.pageStartupServers);
    // "何も指定せず [次へ]": every server may run the group.
    await expect(this.field(this.n.allServersFailover)).toBeChecked();
    await this.next(this.n.pageGroupAttributes);
    await expect(this.field(this.n.autoStartup)).toBeChecked();
    await expect(this.field(this.n.manualFailback)).toBeChecked();
    await this.next(this.n.pageGroupResourceList);
  }

  /** Info (type, name) → Dependency (nothing) → Recovery Operation → Details; stops on Details. */
  async openResource(type: keyof UiNames['types'], name: string, group = 'failover1'): Promise<void> {
    await this.add(this.n.pageInfo);
    // "[グループのリソース定義 | failover1]画面が開きます"
    await expect(this.page.getByText(this.n.resourceDefinitionOf(group), { exact: true })).toBeVisible();
    await this.field(this.n.resourceType).selectOption({ label: this.n.types[type] });
    await this.field(this.n.name).fill(name);
    await this.next(this.n.pageDependency);
    await expect(this.field(this.n.followDefaultDependency)).toBeChecked();
    await this.next(this.n.pageRecoveryOperation);
    await this.next(this.n.pageDetails);
  }

  tab(name: string): Locator {
    return this.page.getByRole('tab', { name, exact: true });
  }

  async fillFields(values: FieldValues): Promise<void> {
    for (const [key, value] of Object.entries(values) as [keyof UiNames['fields'], string][]) {
      const f = this.field(this.n.fields[key]);
      await f.fill(value);
      await expect(f).toHaveValue(value);
    }
  }

  /** The Common tab's values, then each server's tab with "Set up individually" and its own values. */
  async detailsTabs(spec: { common: FieldValues; perServer?: Record<string, FieldValues> | undefined; perServerShows?: Record<string, FieldValues> | undefined; checks?: ResourceSpec['checks'] }): Promise<void> {
    if (spec.perServer) await this.tab(this.n.common).click();
    await this.fillFields(spec.common);
    for (const [key, on] of Object.entries(spec.checks ?? {}) as [keyof UiNames['fields'], boolean][]) await this.field(this.n.fields[key]).setChecked(on);
    for (const [server, values] of Object.entries(spec.perServer ?? {})) {
      await this.tab(server).click();
      await expect(this.tab(server)).toHaveAttribute('aria-selected', 'true');
      await this.field(this.n.setUpIndividually).check();
      for (const [key, value] of Object.entries(spec.perServerShows?.[server] ?? {}) as [keyof UiNames['fields'], string][]) {
        await expect(this.field(this.n.fields[key])).toHaveValue(value);
      }
      await this.fillFields(values);
    }
  }

  /** A whole group resource, as the guide's "【手順】" of each resource: [追加] … [完了]. */
  async addResource(spec: ResourceSpec): Promise<void> {
    await this.openResource(spec.type, spec.name);
    await this.detailsTabs(spec);
    await this.finish(this.n.pageGroupResourceList);
    await expect(this.page.getByRole('group', { name: spec.name, exact: true })).toBeVisible();
  }

  /** Info → Monitor (common) (nothing) → Monitor (special) (Common and per-server tabs) → Recovery Action. */
  async addMonitor(spec: MonitorSpec): Promise<void> {
    await this.add(this.n.pageInfo);
    await this.field(this.n.resourceType).selectOption({ label: this.n.types[spec.type] });
    await this.field(this.n.name).fill(spec.name);
    await this.next(this.n.pageMonitorCommon);
    await this.next(this.n.pageMonitorSpecial);
    await this.detailsTabs(spec);
    await this.next(this.n.pageRecoveryAction);
    await this.field(this.n.recoveryTarget).selectOption({ label: this.n.localServer });
    await this.finish(this.n.pageMonitorList);
    await expect(this.page.getByRole('group', { name: spec.name, exact: true })).toBeVisible();
  }

  /**
   * "Properties of <monitor>" from the Monitor Resource List: through its pages to Monitor (special), where the
   * "Tuning" fields are opened and filled, then on to Recovery Action and Finish.
   */
  async tuneMonitor(name: string, tuning: FieldValues): Promise<void> {
    await this.button(this.n.propertiesOf(name)).click();
    await this.expectPage(this.n.pageInfo);
    await expect(this.field(this.n.name)).toHaveValue(name);
    await this.next(this.n.pageMonitorCommon);
    await this.next(this.n.pageMonitorSpecial);
    await this.button(this.n.tuning).click();
    await this.fillFields(tuning);
    await this.next(this.n.pageRecoveryAction);
    await this.finish(this.n.pageMonitorList);
  }

  /** A monitor the resource added by itself ("…リソース追加時に、自動的に追加されます"). */
  async expectAutoMonitor(monitor: string, resource: string): Promise<void> {
    const row = this.page.getByRole('group', { name: monitor, exact: true });
    await expect(row.getByText(this.n.addedAutomatically(resource), { exact: true })).toBeVisible();
  }
}

/** The guide's mirror disk ("ミラーディスクリソース"), the same in chapters 5, 6 and 7. */
export const GUIDE_MD: ResourceSpec = {
  type: 'md',
  name: 'md',
  common: { mountPoint: '/mnt/md1', dataPartition: '/dev/nvme1n1p2', clusterPartition: '/dev/nvme1n1p1' },
};

/** The guide's AWS AZ monitor: the active server's AZ in common, each server's own on its tab, LocalServer. */
export const GUIDE_AZ_MONITOR: MonitorSpec = {
  type: 'awsazw',
  name: 'awsazw1',
  common: { availabilityZone: 'ap-northeast-1a' },
  perServer: { server1: { availabilityZone: 'ap-northeast-1a' }, server2: { availabilityZone: 'ap-northeast-1c' } },
  recoveryTarget: 'LocalServer',
};
