/** Types for path-browserify (it ships none): it is node's POSIX path module. */
declare module 'path-browserify' {
  import type { PlatformPath } from 'node:path';
  const path: PlatformPath;
  export default path;
}
