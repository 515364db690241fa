/**
 * Errors as sentences in the chosen language: an agent error code renders with the shared catalogue's sentence
 * (what to do), the client's own codes with ours. The agent's `message` (English, specific) is kept as detail.
 */
import { ERROR_CODES } from '@kumo/shared';
import type { Lang, Msg } from '@kumo/shared';
import { AgentRequestError } from '../agent-socket';
import type { ClientErrorCode } from '../agent-socket';

const CLIENT_ERRORS: Record<ClientErrorCode, Msg> = {
  KUMO_C_DISCONNECTED: {
    en: 'The connection to the agent was lost before it answered; the WebUI reconnects by itself. Check the result, then try again.',
    ja: '応答を受け取る前にエージェントとの接続が切れました。WebUI は自動で再接続します。結果を確認してから再度実行してください。',
  },
  KUMO_C_TIMEOUT: {
    en: 'The agent did not answer in time; it may still be working. Check the result, then try again.',
    ja: 'エージェントが時間内に応答しませんでした。処理中の可能性があります。結果を確認してから再度実行してください。',
  },
  KUMO_C_BAD_RESPONSE: {
    en: 'The agent answered something this WebUI cannot read; make sure the WebUI and the agent are the same version.',
    ja: 'エージェントの応答を解釈できませんでした。WebUI とエージェントのバージョンが同じか確認してください。',
  },
};

export interface ErrorText {
  readonly code: string;
  readonly sentence: string;
  readonly detail: string | undefined;
}

export function errorText(e: unknown, lang: Lang): ErrorText {
  if (e instanceof AgentRequestError) {
    const sentence = e.code in CLIENT_ERRORS ? CLIENT_ERRORS[e.code as ClientErrorCode][lang] : ERROR_CODES[e.code as keyof typeof ERROR_CODES].message[lang];
    return { code: e.code, sentence, detail: e.message && e.message !== sentence ? e.message : undefined };
  }
  const detail = e instanceof Error ? e.message : String(e);
  return { code: 'KUMO_E_INTERNAL', sentence: ERROR_CODES.KUMO_E_INTERNAL.message[lang], detail };
}

/** True when the agent does not offer the method (an optional part such as AWS is not wired in). */
export function isUnavailable(e: unknown): boolean {
  return e instanceof AgentRequestError && e.code === 'KUMO_E_BAD_REQUEST' && /not available/.test(e.message);
}
