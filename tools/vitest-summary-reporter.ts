/**
 * Prints `N passed, N failed, N skipped` after a Vitest run and, when KUMO_SUMMARY_FILE is set, writes the
 * counts there as JSON so that tools/dev.mjs can add every suite into CI's one summary line.
 * A test file that fails to load and an unhandled error each count as one failure: nothing is lost.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of modules) {
      let cases = 0;
      for (const test of mod.children.allTests()) {
        cases += 1;
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
      if (mod.state() === 'failed' && (cases === 0 || mod.errors().length > 0)) counts.failed += 1;
    }
    counts.failed += unhandledErrors.length;
    const file = process.env['KUMO_SUMMARY_FILE'];
    if (file) writeFileSync(file, JSON.stringify(counts));
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
