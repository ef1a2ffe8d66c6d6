// Types of openai-test-server.mjs, for the TypeScript tests (vitest) that import it.

export declare const DEFAULT_MODEL: string;

export interface TestServerBehaviour {
  /** Model ids GET /v1/models lists and chat requests may name; default [DEFAULT_MODEL]. */
  models?: string[];
  /** Wrap the JSON in a ```json fence. */
  fences?: boolean;
  /** Put chatty prose before and after the JSON. */
  prose?: boolean;
  /** Write a trailing comma after every entry (not valid JSON). */
  trailingCommas?: boolean;
  /** Leave out the last id (or the second half) of every answer naming more than one cluster. */
  missingIds?: 'last' | 'half';
  /** Never name these ids. */
  omitIds?: string[];
  /** Key entries as "Cluster 3" instead of "3". */
  prefixedIds?: boolean;
  /** Cut the answer at max_tokens × 4 characters (finish_reason 'length'). */
  honourMaxTokens?: boolean;
  /** Answer the first chat request with HTTP 500. */
  failOnce?: boolean;
  /** Answer the first N chat requests with HTTP 500. */
  failTimes?: number;
  /** HTTP 400 context-length error when the prompt (all message contents) is over N characters. */
  contextChars?: number;
  /** n_ctx named in the overflow error and context_length in /v1/models; default contextChars / 4. */
  contextTokens?: number;
  /** Whether GET /v1/models lists contextTokens as context_length; default true. */
  listContext?: boolean;
  /** Shape of the overflow error: llama.cpp's (default) or OpenAI's. */
  errorStyle?: 'llamacpp' | 'openai';
  /** HTTP 400 for requests that carry response_format. */
  rejectJsonMode?: boolean;
  /** Require `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Wait this long before answering a chat request. */
  delayMs?: number;
  /** Add llama.cpp-style timings with this predicted_per_second. */
  timings?: number;
  /** Answer every chat request with prose and no JSON (a model that ignores the format). */
  nonsense?: boolean;
  /** Answer for prompts that are not naming prompts. */
  freeText?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body of a chat request. */
  body?: {
    model?: string;
    messages?: { role: string; content: string }[];
    max_tokens?: number;
    temperature?: number;
    response_format?: { type: string };
    [k: string]: unknown;
  };
  /** Cluster ids the naming prompt asked for. */
  ids: string[];
  /** HTTP status sent; -1 when the client went away first. */
  status: number;
  answer?: string;
  time: number;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  requests: RecordedRequest[];
  chats(): RecordedRequest[];
  configure(next: TestServerBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

export interface PromptCluster {
  id: string;
  keywords: string[];
  samples: string[];
  parent?: string;
}

export declare function clustersInPrompt(text: string): PromptCluster[];
export declare function nameFor(c: PromptCluster): { title: string; description: string };
export declare function startOpenAiTestServer(options?: TestServerBehaviour & { port?: number; host?: string }): Promise<TestServer>;
