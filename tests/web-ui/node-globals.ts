/**
 * jsdom's test environment leaves out globals every browser (and Node) has and the simulation uses at module load
 * (TextEncoder/TextDecoder): give them Node's. Import first in a jsdom test that loads the real session.
 */
import { TextDecoder, TextEncoder } from 'node:util';

const g = globalThis as Record<string, unknown>;
g['TextDecoder'] ??= TextDecoder;
g['TextEncoder'] ??= TextEncoder;
