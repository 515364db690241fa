/**
 * Every timer the emulator sets (instance transitions, Route 53 INSYNC, injected latency) goes through a
 * Timers, so that reset() and stop() can cancel them and leave no handle behind.
 */
export class Timers {
  private readonly handles = new Set<NodeJS.Timeout>();

  set(callback: () => void, ms: number): void {
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      callback();
    }, ms);
    this.handles.add(handle);
  }

  /** Resolves after `ms`, or never if the timers are cleared first (the caller is being torn down). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.set(resolve, ms));
  }

  clearAll(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}
