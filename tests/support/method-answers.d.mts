// Types of method-answers.mjs, for the TypeScript tests and bench that import it.

export type MethodPromptKind = 'propose' | 'merge' | 'assign' | 'label' | 'pick';

export declare const METHOD_MARKERS: Readonly<Record<MethodPromptKind, string>>;

/** Content words of a text (lower case, ≥ 3 letters, no stop words). */
export declare function contentWords(text: string): string[];

/** Which method prompt this is, or null. */
export declare function methodPromptKind(prompt: string | { role?: string; content: string }[]): MethodPromptKind | null;

/** The answer text to a method prompt, or null when it is not one. */
export declare function answerMethodPrompt(prompt: string | { role?: string; content: string }[]): string | null;

/** Deterministic bag-of-words test vectors (normalised rows). */
export declare function hashVectors(texts: string[], dims?: number): { data: Float32Array; rows: number; cols: number };
