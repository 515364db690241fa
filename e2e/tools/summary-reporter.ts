/**
 * Playwright reporter twin of vitest-summary-reporter.ts: counts final outcomes (a test that passed on retry
 * counts as passed once) and writes them to KUMO_SUMMARY_FILE for CI's summary line.
 */
import { writeFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, TestResult['status']>();
  private errors = 0;

  onTestEnd(test: TestCase, result: TestResult): void {
    this.outcomes.set(test.id, result.status);
  }

  onError(): void {
    this.errors += 1;
  }

  onEnd(_result: FullResult): void {
    const counts = { passed: 0, failed: this.errors, skipped: 0 };
    for (const status of this.outcomes.values()) {
      if (status === 'passed') counts.passed += 1;
      else if (status === 'skipped') counts.skipped += 1;
      else counts.failed += 1;
    }
    const file = process.env['KUMO_SUMMARY_FILE'];
    if (file) writeFileSync(file, JSON.stringify(counts));
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
