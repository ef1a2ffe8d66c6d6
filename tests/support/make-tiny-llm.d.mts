// Types of make-tiny-llm.mjs, for the TypeScript tests that import it.
export declare const TINY_LLM_ID: string;
export declare const DEFAULT_OUT: string;
export declare const CONTEXT: number;
/** The naming answer (clusters "0" and "1") the model spells. */
export declare const ANSWER: string;
export declare const CHAT_TEMPLATE: string;
export declare function answerPieces(text?: string): string[];
export declare function promptTokens(messages: { role: string; content: string }[]): number;
export declare function makeTinyLlm(o?: { outDir?: string; loop?: boolean }): Promise<{ outDir: string; pieces: string[]; vocabSize: number }>;
