/**
 * The one interface every LLM engine implements (WebLLM, transformers.js, an OpenAI-compatible
 * endpoint, the scripted test engine), plus the small helpers the naming code needs from any of
 * them: a context-overflow error type, a rough token estimate and abort handling. Pure: no DOM, no
 * Node.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateOptions {
  /** Ask for a JSON answer (JSON mode / grammar where the engine has one; a hint otherwise). */
  json?: boolean;
  /** Most tokens the answer may take. */
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface GenerateResult {
  text: string;
  promptTokens?: number;
  completionTokens?: number;
  tokensPerSecond?: number;
}

export interface LlmEngine {
  /** Engine kind, e.g. 'webllm', 'transformers', 'openai', 'scripted'. */
  readonly id: string;
  /** Model name as the engine knows it. */
  readonly model: string;
  /** Context window in tokens (prompt + answer); 0 or Infinity when unknown. */
  readonly contextTokens: number;
  generate(messages: ChatMessage[], opts?: GenerateOptions): Promise<GenerateResult>;
}

/**
 * Thrown by an engine when prompt + answer do not fit its context window. Callers react by
 * sending less (smaller batches, shorter samples) rather than retrying the same prompt.
 */
export class ContextOverflowError extends Error {
  override readonly name = 'ContextOverflowError';
  constructor(
    message = 'prompt does not fit the context window',
    readonly promptTokens?: number,
    readonly contextTokens?: number,
  ) {
    super(message);
  }
}

// CJK scripts take about one token per character in common BPE vocabularies; chars/4 would
// underestimate them fourfold and let oversized prompts through.
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Rough token count: ≈ chars/4 for ASCII text, 1 per CJK character, 1 per 2 other non-ASCII
 * characters (accented Latin, Cyrillic…). Rounded up. Good enough to decide batch sizes; engines
 * that know their tokenizer report exact counts in GenerateResult.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let cjk = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else if (CJK_CHAR.test(ch)) cjk++;
    else other++;
  }
  return Math.ceil(ascii / 4 + cjk + other / 2);
}

/** Per-message overhead of chat templates (role markers, separators), in tokens. */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

/** The error to throw for an aborted signal: its reason when it has one, else an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** setTimeout-based sleep that rejects as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
