/** Types of ./esbuild-browser.mjs (the web page's esbuild settings). */
import type { BuildOptions } from 'esbuild';
export declare const SHIMS: Record<'fs' | 'path' | 'crypto' | 'zlib' | 'util' | 'worker_threads' | 'v8', string>;
export declare function browserOptions(entry: string, extra?: BuildOptions): BuildOptions;
