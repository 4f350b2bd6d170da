/**
 * node:path for the web page's bundle: the POSIX path functions of path-browserify (node's own path module,
 * ported for browsers). The scenario loader resolves buildfile paths against the scenario's folder
 * (emulator/app/scenario/load.ts); in the page that folder is the virtual BUNDLE_DIR (./fs.ts), always absolute,
 * so `resolve` never needs a working directory (path-browserify would ask `process.cwd()`, which a page has not).
 */
import pathBrowserify from 'path-browserify';

export const { resolve, join, dirname, basename, extname, relative, normalize, isAbsolute, sep, delimiter, parse, format } = pathBrowserify;
export const posix = pathBrowserify;
export default pathBrowserify;
