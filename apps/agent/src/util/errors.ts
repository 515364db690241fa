/** `KumoError`: an error with a code from the shared catalogue, a sentence for the user, and details. */
import { ERROR_CODES } from '@kumo/shared';
import type { ErrorCode, KumoErrorBody } from '@kumo/shared';

export class KumoError extends Error {
  override readonly name = 'KumoError';

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERROR_CODES[code].message.en);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  toBody(): KumoErrorBody {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

/** Any thrown value as an error body; unexpected errors become KUMO_E_INTERNAL without leaking internals. */
export function toErrorBody(e: unknown): KumoErrorBody {
  if (e instanceof KumoError) return e.toBody();
  return { code: 'KUMO_E_INTERNAL', message: `${ERROR_CODES.KUMO_E_INTERNAL.message.en} (${e instanceof Error ? e.message : String(e)})` };
}
