// Types of offline-build.mjs, for vite.config.ts.
import type { Plugin } from 'vite';

export declare const SW_FILE: string;
export declare function excludedPublicFile(path: string): boolean;
export declare function excludedOutput(path: string): boolean;
export declare function shellManifest(files: Map<string, string | Uint8Array>): { list: string[]; version: string };
export declare function offlineShell(): Plugin;
export declare function addConnectSources(html: string, extra: string): string;
export declare function extraConnectSources(extra?: string): Plugin;
