/**
 * node:v8 for the web page's bundle: a browser chooses its own WebAssembly compilers, so the one flag the
 * simulation sets (emulator/machine/v86/wasm-tiers.ts) has nothing to act on there.
 */
export function setFlagsFromString(_flags: string): void {}
