/**
 * Load-time checks of a guest node's own fields (guest-spec.ts), so that what v86 or the guest's /init would
 * refuse at run time is a located scenario error instead:
 *  - `ip:` entries: `[ifname:]a.b.c.d/len` with each octet 0–255 and a prefix length 0–32 (what the guest's
 *    `ip addr add` accepts); `gateway:` a dotted-quad address.
 *  - `memory:` what v86's CPU.create_memory keeps as given: at least 64 MiB (its minimum when an initrd is
 *    loaded — the guest always boots one — smaller sizes are silently rounded up), below 2 GiB (a size whose
 *    int32 view is negative is rounded down to 2 GiB − 128 KiB; 4 GiB and beyond wrap and fail an assertion),
 *    and a multiple of 128 KiB (its page granule; other sizes are rounded up). The node's memory map and
 *    v86's must agree, so a size v86 would change is refused rather than silently altered.
 */

/** v86's RAM granule (create_memory rounds up to it). */
export const V86_MEMORY_GRANULE = 128 * 1024;
/** v86's minimum with an initrd (create_memory's memory_offset_minimum_size). */
export const V86_MEMORY_MIN = 64 * 1024 * 1024;
/** Where v86's kernel loader puts a guest's initrd, whatever its size (the memory must reach past its end). */
export const V86_INITRD_AT = 64 * 1024 * 1024;
/** The largest size v86 keeps: 2 GiB − 128 KiB (2^31 and above read as negative int32s). */
export const V86_MEMORY_MAX = 2 ** 31 - V86_MEMORY_GRANULE;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Why `s` is not a dotted-quad IPv4 address ("is not …", "has …"), or null. */
export function ipv4Problem(s: string): string | null {
  const m = DOTTED_QUAD.exec(s);
  if (!m) return 'is not a dotted-quad IPv4 address';
  const bad = m.slice(1).find((o) => Number(o) > 255);
  return bad === undefined ? null : `has octet ${bad} (more than 255)`;
}

/** Why an `ifname:addr/len` entry is not one the guest can configure ("is not …", "has …"), or null. */
export function guestIpProblem(entry: string): string | null {
  const m = /^([a-z][a-z0-9]*):([^/]+)\/(\d{1,2})$/.exec(entry);
  if (!m) return 'is not an address like 10.0.0.3/24 or eth1:10.0.0.3/24';
  const addr = ipv4Problem(m[2]!);
  if (addr) return addr === 'is not a dotted-quad IPv4 address' ? `is not an address like 10.0.0.3/24 or eth1:10.0.0.3/24` : addr;
  if (Number(m[3]) > 32) return `has prefix length /${m[3]} (more than 32)`;
  return null;
}

const mib = (n: number): string =>
  n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)}M` : n % 1024 === 0 ? `${n / 1024}K` : `${n} bytes`;

/** Why v86 cannot give a guest `bytes` of RAM as given, or null. */
export function guestMemoryProblem(bytes: number): string | null {
  if (bytes < V86_MEMORY_MIN) return `${mib(bytes)} is less than v86's minimum with an initrd (${mib(V86_MEMORY_MIN)})`;
  if (bytes > V86_MEMORY_MAX) return `${bytes >= 2 ** 30 ? `${bytes / 2 ** 30}G` : mib(bytes)} is more than v86 can give a guest (at most ${mib(V86_MEMORY_MAX)})`;
  if (bytes % V86_MEMORY_GRANULE !== 0) return `${mib(bytes)} is not a multiple of v86's 128K granule`;
  return null;
}
