import type net from 'node:net';

/**
 * Corks a socket for the rest of the current tick, so that every write made in that tick (replies that
 * complete together, frame headers and payloads) leaves in one writev instead of one syscall each.
 */
export class TickBatcher {
  private corked = false;
  private readonly socket: net.Socket;

  constructor(socket: net.Socket) {
    this.socket = socket;
  }

  write(buf: Uint8Array): void {
    const s = this.socket;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(() => {
        this.corked = false;
        if (!s.destroyed) s.uncork();
      });
    }
    s.write(buf);
  }
}
