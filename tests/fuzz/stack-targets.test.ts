/**
 * The stack fuzz targets (fuzz/stack): a short pass of each has no failure; episodes are functions of the seed
 * (same seed → same frames, another seed → other frames); a recorded episode replays to the same verdict; the
 * registry lists them under stack/<layer>.
 */
import { createHash } from 'node:crypto';
import { FUZZ_TARGETS } from '../../fuzz/registry';
import { runEpisode, replayEpisode } from '../../fuzz/stack/episode';
import { STACK_SPECS, STACK_TARGETS } from '../../fuzz/stack';

function framesHash(spec: (typeof STACK_SPECS)[number], seed: number, episode: number, budget: number): string {
  const h = createHash('sha256');
  for (const c of runEpisode(spec, seed, episode, budget).cases) h.update(c.frame).update(c.label).update(String(c.adv));
  return h.digest('hex');
}

describe('stack fuzz targets', () => {
  it('are registered as stack/<layer> with inputs for the default and quick runs', () => {
    expect(STACK_TARGETS.map((t) => t.name)).toEqual(['stack/ether-arp', 'stack/ipv4', 'stack/icmp-udp', 'stack/tcp', 'stack/ipv6']);
    for (const t of STACK_TARGETS) {
      expect(FUZZ_TARGETS).toContain(t);
      expect(t.quickInputs).toBeGreaterThan(0);
      expect(t.defaultInputs).toBeGreaterThan(t.quickInputs);
      expect(t.description.length).toBeGreaterThan(20);
    }
  });

  it.each(STACK_TARGETS.map((t) => [t.name, t] as const))('%s: a short pass (4 episodes) has no failure', (_name, t) => {
    let inputs = 0;
    const failures: string[] = [];
    for (let e = 0; e < 4; e++) {
      const r = t.episode(20261205, e, 1_000_000);
      inputs += r.inputs;
      if (r.failure) failures.push(`episode ${e}: ${r.failure}`);
    }
    expect(failures).toEqual([]);
    expect(inputs).toBeGreaterThanOrEqual(4 * 300);
  });

  it.each(STACK_SPECS.map((s) => [s.name, s] as const))('%s: same seed → same frames, another seed or episode → others', (_name, spec) => {
    const a = framesHash(spec, 42, 3, 150);
    expect(framesHash(spec, 42, 3, 150)).toBe(a);
    expect(framesHash(spec, 43, 3, 150)).not.toBe(a);
    expect(framesHash(spec, 42, 4, 150)).not.toBe(a);
  });

  it('stops an episode at its budget and counts one input per frame', () => {
    const spec = STACK_SPECS[1]!;
    const r = runEpisode(spec, 1, 0, 37);
    expect(r.inputs).toBe(37);
    expect(r.cases).toHaveLength(37);
  });

  it('replays a recorded episode (JSON round trip) to the same verdict, and refuses input that is not an episode', () => {
    const spec = STACK_SPECS[3]!;
    const r = runEpisode(spec, 9, 1, 120, { record: true });
    expect(r.failure).toBeNull();
    const input = JSON.parse(JSON.stringify(r.input)) as unknown;
    expect(replayEpisode(input)).toBeNull();
    expect(STACK_TARGETS[3]!.replay(input)).toBeNull();
    expect(replayEpisode({ nope: 1 })).toBe('not a stack episode input');
  });
});
