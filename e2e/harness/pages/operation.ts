/**
 * Operation mode as the operator sees it, found by role and accessible name (apps/webui/README.md): the
 * dashboard's tables and picture, the confirmed operations, the alert log and the login page.
 */
import { expect } from '@playwright/test';
import type { Locator, Page, TestInfo } from '@playwright/test';

export class OperationPage {
  /** What the page's WebSockets did (opened, closed, errors, requests sent), for the report of a failed test. */
  readonly socketLog: string[] = [];

  constructor(readonly page: Page) {
    const t0 = Date.now();
    const log = (line: string) => this.socketLog.push(`${String(Date.now() - t0).padStart(7)} ms ${line}`);
    page.on('websocket', (ws) => {
      log(`open ${ws.url()}`);
      ws.on('framesent', (f) => log(`sent ${String(f.payload).slice(0, 120)}`));
      ws.on('socketerror', (e) => log(`error ${e}`));
      ws.on('close', () => log(`closed ${ws.url()}`));
    });
    page.on('console', (m) => log(`console ${m.type()} ${m.text()}`));
  }

  /** Attaches the socket log to the test's report when it failed. */
  async attachLog(info: TestInfo): Promise<void> {
    if (info.status !== info.expectedStatus) await info.attach('websockets', { body: this.socketLog.join('\n'), contentType: 'text/plain' });
  }

  /** Opens the WebUI served by an agent and waits for the dashboard (or the login page). */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByRole('table', { name: 'Groups' }).or(this.page.getByRole('heading', { name: 'Log in' }))).toBeVisible();
  }

  /** The server the page talks to, as the toolbar says. */
  connectedTo(): Locator {
    return this.page.getByRole('banner').getByRole('status').locator('strong');
  }

  groupRow(group: string): Locator {
    return this.page.getByRole('table', { name: 'Groups' }).getByRole('row', { name: new RegExp(`^${group}\\b`) });
  }

  /** The Groups table's cells of a group: state, current server, operations. */
  groupCells(group: string): Locator {
    return this.groupRow(group).getByRole('cell');
  }

  /** The box of a server in the picture of the cluster. */
  serverBox(server: string): Locator {
    return this.page.getByRole('figure', { name: 'Where the groups run' }).getByRole('group', { name: server, exact: true });
  }

  serverRow(server: string): Locator {
    return this.page.getByRole('table', { name: 'Servers' }).getByRole('row', { name: new RegExp(`^\\*?${server}\\b`) });
  }

  alertLog(): Locator {
    return this.page.getByRole('table', { name: 'Alert log' });
  }

  /** Waits until the dashboard shows the group online on a server, in the table and in the picture. */
  async expectGroupOn(group: string, server: string, timeout = 30_000): Promise<void> {
    await expect(this.groupCells(group).nth(0)).toHaveText(/^Online/, { timeout });
    await expect(this.groupCells(group).nth(1)).toHaveText(server, { timeout });
    await expect(this.serverBox(server).getByText(group, { exact: true })).toBeVisible({ timeout });
  }

  /** Clicks an operation button, checks the question the dialog asks, optionally chooses, and confirms. */
  async operate(button: string, dialog: { title: string; question?: string | RegExp; choose?: { label: string; value: string } }): Promise<void> {
    await this.page.getByRole('button', { name: button, exact: true }).click();
    const d = this.page.getByRole('alertdialog', { name: dialog.title });
    await expect(d).toBeVisible();
    if (dialog.choose) await d.getByLabel(dialog.choose.label).selectOption(dialog.choose.value);
    if (dialog.question) await expect(d).toContainText(dialog.question);
    await d.getByRole('button', { name: 'OK' }).click();
    await expect(d).toBeHidden();
  }

  async login(password: string): Promise<void> {
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
  }

  /** Every operation button on the dashboard (they carry the class `op`). */
  operationButtons(): Locator {
    return this.page.locator('button.op');
  }
}
