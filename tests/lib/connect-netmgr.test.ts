/**
 * <sys/netmgr.h> calls (stack/lib/netmgr.ts): netmgr_ndtostr's flag rules (libc's own answer for the local
 * node when Qnet is not running, the manager's names otherwise), netmgr_strtond and netmgr_remote_nd.
 */
import { Errno, type ThreadCtx } from '../../stack/kernel/api';
import { LocalStore } from '../../stack/kernel/local';
import type { NetManager } from '../../stack/kernel/kif';
import {
  ND2S_DIR_SHOW, ND2S_DOMAIN_HIDE, ND2S_DOMAIN_SHOW, ND2S_LOCAL_STR, ND2S_NAME_HIDE, ND2S_NAME_SHOW, ND2S_QOS_HIDE, ND2S_QOS_SHOW,
  ND2S_SEP_FORCE, netmgr_ndtostr, netmgr_remote_nd, netmgr_strtond,
} from '../../stack/lib/netmgr';
import { errno } from '../../stack/lib/socket';

const GAMMA = 4 | (1 << 16); // node 4 with a QoS slot in the high bits

function fake(opts: { domain?: string; manager?: boolean }): ThreadCtx {
  const names: Record<number, string> = { 3: 'beta', [GAMMA]: 'gamma.other.org~preferred:en1' };
  const m: Pick<NetManager, 'ndToName' | 'nameToNd'> = {
    ndToName: (nd) => names[nd] ?? null,
    nameToNd: (s) => ({ beta: 3, '/net/beta': 3, 'beta.qnx.com': 3, 'gamma.other.org~preferred:en1': GAMMA })[s] ?? -1,
  };
  const conf: Record<string, string> = { _CS_HOSTNAME: 'alpha', ...(opts.domain ? { _CS_DOMAIN: opts.domain } : {}) };
  return { local: new LocalStore(), confstr: (n: string) => conf[n] ?? null, netmgr: () => (opts.manager ? m : null) } as unknown as ThreadCtx;
}

describe('netmgr_ndtostr without Qnet (libc answers for ND_LOCAL_NODE)', () => {
  test.each([
    [0, undefined, 'alpha'],
    [ND2S_DIR_SHOW, undefined, '/'],
    [ND2S_LOCAL_STR | ND2S_DIR_SHOW, 'qnx.com', '/'],
    [ND2S_DIR_SHOW | ND2S_NAME_SHOW, undefined, '/alpha/../'],
    [0, 'qnx.com', 'alpha.qnx.com'],
    [ND2S_DOMAIN_HIDE, 'qnx.com', 'alpha'],
    [ND2S_DIR_SHOW | ND2S_DOMAIN_SHOW, 'qnx.com', '/alpha.qnx.com/../'],
    [ND2S_NAME_HIDE | ND2S_DOMAIN_SHOW, 'qnx.com', 'qnx.com'],
    [ND2S_NAME_HIDE | ND2S_DOMAIN_SHOW | ND2S_SEP_FORCE, 'qnx.com', '.qnx.com'],
  ])('flags %i, domain %s → %j', (flags, domain, want) => {
    expect(netmgr_ndtostr(fake(domain ? { domain } : {}), flags, 0)).toBe(want);
  });

  test('a remote ND is ENOTSUP', () => {
    const ctx = fake({});
    expect(netmgr_ndtostr(ctx, 0, 3)).toBeNull();
    expect(errno(ctx)).toBe(Errno.ENOTSUP);
  });
});

describe('netmgr_ndtostr with a network manager', () => {
  test.each([
    [0, 3, 'beta'],
    [ND2S_DOMAIN_SHOW, 3, 'beta.qnx.com'],
    [ND2S_DIR_SHOW, 3, '/net/beta/'],
    [ND2S_QOS_SHOW, 3, 'beta~loadbalance'],
    [0, GAMMA, 'gamma.other.org~preferred:en1'],
    [ND2S_DIR_SHOW | ND2S_QOS_HIDE, GAMMA, '/net/gamma.other.org/'],
    [ND2S_DOMAIN_HIDE | ND2S_QOS_HIDE, GAMMA, 'gamma'],
    [ND2S_DIR_SHOW | ND2S_LOCAL_STR, 0, '/'],
    [ND2S_DIR_SHOW, 0, '/net/alpha/'],
  ])('flags %i nd %i → %j', (flags, nd, want) => {
    expect(netmgr_ndtostr(fake({ domain: 'qnx.com', manager: true }), flags, nd)).toBe(want);
  });

  test('an ND the manager does not know is ENOENT', () => {
    const ctx = fake({ manager: true });
    expect(netmgr_ndtostr(ctx, 0, 9)).toBeNull();
    expect(errno(ctx)).toBe(Errno.ENOENT);
  });
});

describe('netmgr_strtond and netmgr_remote_nd', () => {
  test('names, directory form with endstr, unknown names; ENOTSUP without Qnet', () => {
    const ctx = fake({ manager: true });
    const end = { value: -1 };
    expect(netmgr_strtond(ctx, 'beta')).toBe(3);
    expect(netmgr_strtond(ctx, '/net/beta/dev/ser1', end)).toBe(3);
    expect('/net/beta/dev/ser1'.slice(end.value)).toBe('/dev/ser1');
    expect(netmgr_strtond(ctx, 'gamma.other.org~preferred:en1')).toBe(GAMMA);
    expect(netmgr_strtond(ctx, 'nobody', end)).toBe(-1);
    expect([errno(ctx), end.value]).toEqual([Errno.ENOENT, 0]);
    const none = fake({});
    expect(netmgr_strtond(none, 'beta')).toBe(-1);
    expect(errno(none)).toBe(Errno.ENOTSUP);
  });

  test('remote_nd: the local node and the node itself are answered by libc; the rest needs the manager', () => {
    const ctx = fake({});
    expect(netmgr_remote_nd(ctx, 0, 5)).toBe(5);
    expect(netmgr_remote_nd(ctx, 3 | (2 << 16), 3)).toBe(0);
    expect(netmgr_remote_nd(ctx, 3, 4)).toBe(-1);
    expect(errno(ctx)).toBe(Errno.ENOTSUP);
    const withMgr = fake({ manager: true });
    expect(netmgr_remote_nd(withMgr, 3, 4)).toBe(-1);
    expect(errno(withMgr)).toBe(Errno.ENOSYS);
  });
});
