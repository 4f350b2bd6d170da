import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import { parseQnetOptions } from '../../stack/net/qnet/options';

describe('lsm-qnet.so options', () => {
  test('defaults with an empty string; tunables and repeated bind=', () => {
    expect(parseQnetOptions('')).toEqual({ ok: { tun: { ...QNET_DEFAULTS }, binds: [], hostName: null, domain: null } });
    const r = parseQnetOptions('bind=en0,bind=en1,auto_add=10,periodic_ticks=100,tx_retries=0x5,do_crc=0,no_slog,host_name=alpha,domain=lab,resolve=en,mtu_en=1000');
    if (!('ok' in r)) throw new Error(r.errors.join('; '));
    expect(r.ok.binds).toEqual(['en0', 'en1']);
    // periodic_ticks counts 1 ms clock ticks: 100 → 100 ms.
    expect(r.ok.tun).toMatchObject({ autoAdd: 10, tickNs: 100_000_000, txRetries: 5, doCrc: false, noSlog: true, mtuEn: 1000 });
    expect([r.ok.hostName, r.ok.domain]).toEqual(['alpha', 'lab']);
  });

  test('refused: bind=ip and resolve=dns/file (not modelled), unknown keys, bad values — one line each', () => {
    const r = parseQnetOptions('bind=ip,resolve=dns,resolve=file,frobnicate=1,auto_add=x,host_name=a.b,mtu_en=64');
    expect(r).toEqual({
      errors: [
        "option 'bind=ip': Qnet over IP (bind=ip, IP protocol 106) is not modelled; use bind=enX",
        "option 'resolve=dns': the dns resolver is not modelled; only resolve=en (the LAN resolver)",
        "option 'resolve=file': the file resolver is not modelled; only resolve=en (the LAN resolver)",
        "option 'frobnicate=1': unknown option",
        "option 'auto_add=x': auto_add takes a number 0..1000000",
        "option 'host_name=a.b': host_name takes a node name without '/', '.' or '~'",
        "option 'mtu_en=64': mtu_en takes a number 128..1500",
      ],
    });
  });
});
