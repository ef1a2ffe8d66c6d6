/**
 * An LlmEngine whose generate() runs elsewhere (another worker, reached through the main thread).
 * An AbortSignal cannot cross postMessage, so the bridge drops it from the options it forwards and
 * honours it on this side: it refuses to start after an abort and stops waiting when one comes.
 * Errors come back as plain objects; the bridge gives ContextOverflowError its class back.
 */
import { reviveLlmError } from './spec';
import { abortReason, throwIfAborted, type ChatMessage, type GenerateOptions, type GenerateResult, type LlmEngine } from './engine';

export interface EngineInfo {
  id: string;
  model: string;
  contextTokens: number;
}

export type RemoteGenerate = (messages: ChatMessage[], opts: Omit<GenerateOptions, 'signal'>) => Promise<GenerateResult>;

export function bridgedEngine(info: EngineInfo, generate: RemoteGenerate): LlmEngine {
  return {
    id: info.id,
    model: info.model,
    contextTokens: info.contextTokens,
    async generate(messages: ChatMessage[], opts: GenerateOptions = {}): Promise<GenerateResult> {
      const { signal, ...rest } = opts;
      throwIfAborted(signal);
      // Errors lose their class crossing postMessage; naming reacts to ContextOverflowError by type.
      const call = generate(messages, rest).catch((e: unknown) => {
        throw reviveLlmError(e);
      });
      if (!signal) return call;
      let onAbort = (): void => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([call, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}
