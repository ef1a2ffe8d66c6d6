/**
 * A scripted LLM engine for tests and demos: answers from a list or from a function of the prompt,
 * can refuse prompts above a length with ContextOverflowError, and records every call.
 */
import {
  ContextOverflowError,
  estimateMessagesTokens,
  estimateTokens,
  sleep,
  throwIfAborted,
  type ChatMessage,
  type GenerateOptions,
  type GenerateResult,
  type LlmEngine,
} from './engine';
import { idsInPrompt } from './prompts';

/** A reply: text to return, an Error to throw, or a function of the call deciding either. */
export type ScriptedReply = string | Error | ((messages: ChatMessage[], call: number) => string | Error | Promise<string | Error>);

export interface ScriptedEngineOptions {
  id?: string;
  model?: string;
  /** Context window reported to callers; default 4096. */
  contextTokens?: number;
  /** Throw ContextOverflowError when the prompt (all message contents) is longer than this. */
  overflowAboveChars?: number;
  /** Wait this long (abortably) before answering. */
  delayMs?: number;
}

export interface ScriptedCall {
  messages: ChatMessage[];
  opts?: GenerateOptions;
  /** All message contents joined by blank lines. */
  prompt: string;
  reply?: string;
  error?: string;
}

export class ScriptedEngine implements LlmEngine {
  readonly id: string;
  readonly model: string;
  readonly contextTokens: number;
  readonly calls: ScriptedCall[] = [];
  private readonly script: ScriptedReply[] | ((messages: ChatMessage[], call: number) => string | Error | Promise<string | Error>);
  private readonly opts: ScriptedEngineOptions;

  /** With a list, call i gets entry i (an exhausted list throws); with a function, every call. */
  constructor(
    script: ScriptedReply[] | ((messages: ChatMessage[], call: number) => string | Error | Promise<string | Error>),
    opts: ScriptedEngineOptions = {},
  ) {
    this.script = script;
    this.opts = opts;
    this.id = opts.id ?? 'scripted';
    this.model = opts.model ?? 'scripted';
    this.contextTokens = opts.contextTokens ?? 4096;
  }

  async generate(messages: ChatMessage[], opts?: GenerateOptions): Promise<GenerateResult> {
    const prompt = messages.map((m) => m.content).join('\n\n');
    const call: ScriptedCall = { messages, opts, prompt };
    const index = this.calls.length;
    this.calls.push(call);
    try {
      throwIfAborted(opts?.signal);
      if (this.opts.delayMs) await sleep(this.opts.delayMs, opts?.signal);
      const limit = this.opts.overflowAboveChars;
      if (limit !== undefined && prompt.length > limit) {
        throw new ContextOverflowError(`prompt of ${prompt.length} chars > ${limit}`, estimateMessagesTokens(messages), this.contextTokens);
      }
      let r: string | Error;
      if (typeof this.script === 'function') {
        r = await this.script(messages, index);
      } else {
        if (index >= this.script.length) throw new Error(`ScriptedEngine: no reply scripted for call ${index}`);
        const s = this.script[index];
        r = typeof s === 'function' ? await s(messages, index) : s;
      }
      if (r instanceof Error) throw r;
      call.reply = r;
      return { text: r, promptTokens: estimateMessagesTokens(messages), completionTokens: estimateTokens(r) };
    } catch (e) {
      call.error = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }
}

/** The cluster ids a recorded or live prompt asks for. */
export function promptIds(messages: readonly ChatMessage[]): string[] {
  return idsInPrompt(messages.map((m) => m.content).join('\n'));
}

/**
 * A well-behaved reply function: valid JSON naming every id in the prompt, with title
 * `title(id)` (default "Topic <id>") and description "About <id>.".
 */
export function answerAll(title: (id: string) => string = (id) => `Topic ${id}`): (messages: ChatMessage[]) => string {
  return (messages) => {
    const out: Record<string, { title: string; description: string }> = {};
    for (const id of promptIds(messages)) out[id] = { title: title(id), description: `About ${id}.` };
    return JSON.stringify(out);
  };
}
