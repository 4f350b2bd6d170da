/**
 * The global `Buffer` of the web page's bundle (esbuild `inject`: every free reference to `Buffer` in bundled
 * code becomes this one). The simulation uses Buffer in a few places (the trace-hash's chunk buffer in
 * emulator/machine/sim/trace-encoding.ts, WPA key wrap, CCMP); the `buffer` package is node's Buffer API for browsers.
 */
export { Buffer } from 'buffer';
