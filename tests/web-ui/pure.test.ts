/** The page's pure helpers: the key map and the topology layout. */
import { actionFor, KEY_BINDINGS } from '../../emulator/app/web-page/ui/keys';
import { layoutTopology } from '../../emulator/app/web-page/ui/layout';
import { fetchBundle } from '../../emulator/app/web-page/ui/boot';
import type { TopologyView } from '../../emulator/app/web-page/core/api';

const press = (key: string, tagName = 'BODY', mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) =>
  actionFor({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods, target: { tagName } as unknown as EventTarget });

describe('keys', () => {
  it('maps the documented keys and ignores fields and modifiers', () => {
    expect(press('s')).toBe('step');
    expect(press('ArrowRight')).toBe('step');
    expect(press('b')).toBe('back');
    expect(press('ArrowLeft')).toBe('back');
    expect(press('n')).toBe('next');
    expect(press('c')).toBe('continue');
    expect(press(' ')).toBe('play');
    expect(press(' ', 'BUTTON')).toBeNull();
    expect(press('s', 'INPUT')).toBeNull();
    expect(press('s', 'BODY', { ctrlKey: true })).toBeNull();
    expect(press('x')).toBeNull();
    expect(new Set(KEY_BINDINGS.flatMap((b) => b.keys)).size).toBe(KEY_BINDINGS.flatMap((b) => b.keys).length);
  });
});

describe('topology layout', () => {
  const wired: TopologyView = {
    nodes: ['a', 'b', 'c'].map((name) => ({ name, kind: 'qnx' as const, position: null, nics: [{ name: 'nic0', model: 'm', link: 'hub0', mac: '' }] })),
    links: [{ name: 'hub0', kind: 'hub', ports: ['a.nic0', 'b.nic0', 'c.nic0'] }],
  };
  it('is deterministic and keeps everything inside the view, apart', () => {
    const l = layoutTopology(wired);
    expect(layoutTopology(wired)).toEqual(l);
    const pts = [...l.nodes.values(), ...l.links.values()];
    for (const p of pts) {
      expect(p.x).toBeGreaterThan(0);
      expect(p.x).toBeLessThan(l.width);
      expect(p.y).toBeGreaterThan(0);
      expect(p.y).toBeLessThan(l.height);
    }
    for (const [i, p] of pts.entries()) for (const q of pts.slice(i + 1)) expect(Math.hypot(p.x - q.x, p.y - q.y)).toBeGreaterThan(20);
    expect([...l.nics.keys()]).toEqual(['a.nic0', 'b.nic0', 'c.nic0']);
  });
  it('places wireless nodes by their positions, keeping the proportions', () => {
    const air: TopologyView = {
      nodes: [
        { name: 'ap', kind: 'qnx', position: { x: 0, y: 0 }, nics: [] },
        { name: 'sta', kind: 'qnx', position: { x: 30, y: 0 }, nics: [] },
        { name: 'far', kind: 'qnx', position: { x: 90, y: 0 }, nics: [] },
      ],
      links: [],
    };
    const l = layoutTopology(air);
    const x = (n: string) => l.nodes.get(n)!.x;
    expect((x('sta') - x('ap')) * 3).toBeCloseTo(x('far') - x('ap'), 6);
    expect(x('ap')).toBeLessThan(x('sta'));
  });
});

describe('fetchBundle', () => {
  const serve = (status: number, body: string) => {
    (globalThis as { fetch?: unknown }).fetch = async () => new Response(body, { status });
  };
  afterAll(() => {
    delete (globalThis as { fetch?: unknown }).fetch;
  });
  it('loads a bundle and names what is wrong with a bad one in one line', async () => {
    serve(200, JSON.stringify({ format: 1, file: 'p.yaml', yaml: 'name: p', files: {} }));
    await expect(fetchBundle('./bundle.json')).resolves.toEqual({ format: 1, file: 'p.yaml', yaml: 'name: p', files: {} });
    serve(404, 'nope');
    await expect(fetchBundle('./bundle.json')).rejects.toThrow(/^cannot load \.\/bundle\.json: HTTP 404/);
    serve(200, '{"format":1');
    await expect(fetchBundle('./bundle.json')).rejects.toThrow(/^\.\/bundle\.json is not JSON: /);
    serve(200, '{"format":2}');
    await expect(fetchBundle('./bundle.json')).rejects.toThrow(/^\.\/bundle\.json is not a scenario bundle/);
  });
});
