/**
 * @jest-environment jsdom
 *
 * The debugger page rendered into jsdom over a fake session (fake-session.ts): the header, the controls and
 * their keys, the timeline, the sequence diagram's data-hop elements, the hop's NIC/interrupts/bytes,
 * breakpoints, the command box, consoles, the topology's links and NICs, the failure banner, the open error.
 */
import { act } from 'preact/test-utils';
import { fakeSession } from './fake-session';
import { $, $$, click, key, mountPage, submit, text } from './helpers';

afterEach(() => {
  jest.useRealTimers();
});

describe('header and controls', () => {
  it('shows the scenario, seed, trace-hash and the virtual time cursor', async () => {
    await mountPage(fakeSession());
    expect(text('#scenario-name')).toBe('ping');
    expect(text('#seed')).toBe('1');
    expect(text('#trace-hash')).toBe('ab12cd34');
    expect(text('#time-cursor')).toBe('0.000000000');
    expect(text('#stop')).toMatch(/^start/);
  });

  it('says when the guests ran in worker threads and the page replays that run; nothing otherwise', async () => {
    await mountPage(fakeSession());
    expect(document.querySelector('#guest-threads')).toBeNull();
    await mountPage(fakeSession({ threads: 2 }));
    expect(text('#guest-threads')).toBe('in worker threads (--threads 2), replayed');
    await mountPage(fakeSession({ threads: 1 }));
    expect(text('#guest-threads')).toBe('in a worker thread, replayed');
  });

  it('step, back, continue and restart move the session and the time cursor', async () => {
    await mountPage(fakeSession());
    click('#step');
    click('#step');
    expect(text('#time-cursor')).toBe('0.000002000');
    expect(text('#event-count')).toBe('#2 of 7');
    click('#back');
    expect(text('#time-cursor')).toBe('0.000001000');
    expect(text('#stop')).toMatch(/^back/);
    click('#continue');
    expect(text('#stop')).toMatch(/^end/);
    expect(text('#time-cursor')).toBe('0.000020000');
    click('#restart');
    expect(text('#event-count')).toBe('#0 of 7');
  });

  it('keys: s and → step, b and ← back, c continue, ? opens the help; keys typed in a field do nothing', async () => {
    await mountPage(fakeSession());
    key('s');
    key('ArrowRight');
    expect(text('#event-count')).toBe('#2 of 7');
    key('b');
    expect(text('#event-count')).toBe('#1 of 7');
    key('ArrowLeft');
    expect(text('#event-count')).toBe('#0 of 7');
    key('s', $('#command-input'));
    expect(text('#event-count')).toBe('#0 of 7');
    key('?');
    expect($('#help').textContent).toContain('step one event');
    key('Escape');
    expect(document.getElementById('help')).toBeNull();
    expect(text('#keys-line')).toContain('s/→ step');
    key('c');
    expect(text('#stop')).toMatch(/^end/);
  });

  it('run to time: a bad time is one line, a good one runs to it', async () => {
    await mountPage(fakeSession());
    submit('#until-input', 'soon');
    expect(text('#control-error')).toMatch(/^bad time "soon"/);
    submit('#until-input', '9us');
    expect(text('#stop')).toMatch(/^until/);
    expect(text('#time-cursor')).toBe('0.000009000');
    expect(document.getElementById('control-error')).toBeNull();
  });

  it('play steps until a breakpoint, then stops', async () => {
    jest.useFakeTimers();
    const api = fakeSession();
    await mountPage(api);
    submit('#breakpoint-input', 'probe nic/rx-accept');
    click('#play');
    expect(text('#play')).toBe('Pause');
    for (let i = 0; i < 20; i++) act(() => void jest.advanceTimersByTime(50));
    expect(text('#play')).toBe('Play');
    expect(text('#stop')).toMatch(/^breakpoint/);
    expect(text('#event-count')).toBe('#5 of 7');
    expect($('tr.cursor').textContent).toContain('nic/rx-accept');
  });

  it('play at 10 events a tick runs to the end in one tick', async () => {
    jest.useFakeTimers();
    await mountPage(fakeSession());
    const speed = $('#speed') as HTMLSelectElement;
    act(() => {
      speed.value = '10';
      speed.dispatchEvent(new Event('change', { bubbles: true }));
    });
    click('#play');
    act(() => void jest.advanceTimersByTime(1));
    expect(text('#stop')).toMatch(/^end/);
    expect(text('#play')).toBe('Play');
  });

  it('downloads the pcap as <scenario>.pcap', async () => {
    await mountPage(fakeSession());
    const made: Blob[] = [];
    const names: string[] = [];
    URL.createObjectURL = (b: Blob) => (made.push(b), 'blob:x');
    URL.revokeObjectURL = () => undefined;
    const spy = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    click('#download-pcap');
    spy.mockRestore();
    expect(names).toEqual(['ping.pcap']);
    expect(made[0]!.size).toBe(4);
  });

  it("downloads a picked link's own pcap as <scenario>-<link>.pcap", async () => {
    const api = fakeSession();
    const asked: (string | undefined)[] = [];
    const pcap = api.pcap.bind(api);
    api.pcap = (link?: string) => (asked.push(link), pcap(link));
    await mountPage(api);
    const names: string[] = [];
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;
    const spy = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    click('#topology [data-link="hub0"]');
    expect(text('#download-link-pcap')).toBe('Download hub0.pcap');
    click('#download-link-pcap');
    spy.mockRestore();
    expect(names).toEqual(['ping-hub0.pcap']);
    expect(asked).toEqual(['hub0']);
  });
});

describe('timeline and sequence diagram', () => {
  it('lists the records so far with the cursor highlighted', async () => {
    await mountPage(fakeSession());
    click('#next'); // no packet yet: stays
    click('#step');
    click('#step');
    const rows = $$('#timeline tbody tr');
    expect(rows.map((r) => r.dataset['record'])).toEqual(['0', '1', '2']);
    expect($('#timeline tr.cursor').dataset['record']).toBe('1');
    expect($('#timeline tr.ahead').dataset['record']).toBe('2');
  });

  it('draws one data-hop per hop in order, with past/cursor/future and the latencies', async () => {
    await mountPage(fakeSession());
    submit('#breakpoint-input', 'probe nic/tx-start');
    click('#continue');
    const hops = $$('#sequence [data-hop]');
    expect(hops.map((h) => h.getAttribute('data-hop'))).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(hops.map((h) => `${h.getAttribute('data-device')}/${h.getAttribute('data-layer')}`)).toEqual([
      'alpha/app',
      'alpha/ip',
      'alpha/nic',
      'hub0/wire',
      'beta/nic',
      'beta/icmp',
    ]);
    expect(hops.map((h) => h.getAttribute('class')!.split(' ')[1])).toEqual(['past', 'past', 'cursor', 'future', 'future', 'future']);
    // hop 4: +4us after hop 3, 7us since the first
    expect($('#sequence [data-hop-row="4"] .hop-text').textContent).toMatch(/^4\s+\+4\.000us\s+7\.000us$/);
    expect(hops[3]!.querySelector('.probe')!.textContent).toBe('deliver');
    expect(hops[3]!.dataset['t']).toBe('0.000009000');
    expect(hops[3]!.querySelector('title')!.textContent).toBe('0.000009000 (net) wire/deliver pkt 3 (inbound)');
    // an arrow between lanes, one per change of lane
    expect(hops.filter((h) => h.querySelector('line.arrow')).length).toBe(5);
  });

  it('next follows the packet; clicking a record with a packet focuses it', async () => {
    const api = fakeSession();
    await mountPage(api);
    submit('#breakpoint-input', 'probe ip/output');
    click('#continue');
    click('#next');
    expect(text('#stop')).toMatch(/^next/);
    expect($('#sequence [data-hop].cursor').getAttribute('data-hop')).toBe('3');
    click('#step');
    click('#step');
    click('#step');
    const reply = $$('#timeline tbody tr').find((r) => r.dataset['pkt'] === '4')!;
    click(reply);
    expect(api.log.commands).toContain('path 4');
    expect($$('#sequence [data-hop]').map((h) => h.dataset['probe'])).toEqual(['echo-reply-out']);
  });

  it('the selected hop shows its NIC registers and ring, the interrupt controller and the bytes by layer', async () => {
    await mountPage(fakeSession());
    submit('#breakpoint-input', 'probe icmp/echo-request-in');
    click('#continue');
    click($('#sequence [data-hop="5"]'));
    expect($('#hop-detail').dataset['selectedHop']).toBe('5');
    expect(text('#hop-state-note')).toContain('as they are now (0.000012000), not at this hop');
    const nic = $('#hop-detail .hop-nic');
    expect(nic.textContent).toContain('beta.nic0');
    expect(nic.querySelector('caption')!.textContent).toBe('page 0');
    expect(nic.textContent).toContain('ISR0x01');
    expect(nic.textContent).toContain('0x4c: status 0x01 len 98 pkt 3');
    expect(text('#interrupts')).toBe('beta 8259A master: IRR 00 ISR 00 IMR f8');
    expect($$('#packet .layer summary').map((s) => s.textContent)).toEqual(['Ethernet II', 'IPv4']);
    expect(text('#packet .hex')).toContain('00 00 e8 0b');
  });

  it('a wire hop shows the link and its counts instead of a NIC', async () => {
    await mountPage(fakeSession());
    submit('#breakpoint-input', 'probe wire/deliver');
    click('#continue');
    expect($('#hop-detail').dataset['selectedHop']).toBe('4');
    expect(text('#hop-detail')).toContain('link hub0 (hub): 1 frames, 98 bytes so far');
    expect(document.querySelector('#hop-detail .hop-nic')).toBeNull();
    click('#next');
    expect($('#hop-detail').dataset['selectedHop']).toBe('5');
    expect(document.getElementById('hop-state-note')).toBeNull();
  });
});

describe('breakpoints, commands, consoles', () => {
  it('adds (with or without "break "), lists, deletes; a bad one shows its error inline', async () => {
    await mountPage(fakeSession());
    submit('#breakpoint-input', 'break probe ip/output');
    submit('#breakpoint-input', 'probe nic/rx-accept');
    expect($$('#breakpoint-list li span').map((s) => s.textContent)).toEqual(['probe ip/output', 'probe nic/rx-accept']);
    submit('#breakpoint-input', 'probe ip/output if');
    expect(text('#breakpoint-error')).toBe('error: bad breakpoint "probe ip/output if"');
    click($('#breakpoint-list li button'));
    expect($$('#breakpoint-list li span').map((s) => s.textContent)).toEqual(['probe nic/rx-accept']);
  });

  it('runs REPL commands with their output, errors included, and refreshes after one that moves', async () => {
    await mountPage(fakeSession());
    submit('#command-input', 'step');
    expect(text('#command-output')).toBe('(qnxemu) step\nstepped to event 1');
    expect(text('#event-count')).toBe('#1 of 7');
    submit('#command-input', 'frobnicate');
    expect(text('#command-output')).toContain('(qnxemu) frobnicate\nerror: unknown command "frobnicate"');
  });

  it("shows every node's console so far", async () => {
    await mountPage(fakeSession());
    expect(text('#consoles')).toContain('No node has printed');
    click('#continue');
    expect($$('#consoles [data-console]').map((d) => d.dataset['console'])).toEqual(['alpha', 'beta']);
    expect(text('#consoles [data-console="beta"] pre')).toBe('done');
  });
});

describe('topology', () => {
  it('draws nodes, NICs and links with live counters; a link shows its frames with a filter', async () => {
    await mountPage(fakeSession());
    expect($$('#topology [data-link]').map((l) => l.dataset['link'])).toEqual(['hub0']);
    expect($$('#topology [data-nic]').map((l) => l.dataset['nic'])).toEqual(['alpha.nic0', 'beta.nic0']);
    expect(text('#topology [data-link="hub0"] .counter')).toBe('hub · 0 fr · 0 B');
    click('#continue');
    expect(text('#topology [data-link="hub0"] .counter')).toBe('hub · 1 fr · 98 B');
    expect(text('#topology [data-nic="alpha.nic0"] .counter')).toBe('tx 1');
    click('#topology [data-link="hub0"]');
    expect($$('[data-frames="hub0"] tbody tr').length).toBe(1);
    submit('#frame-filter', 'icmp and');
    expect(text('[data-frames="hub0"] .error')).toMatch(/^error: bad filter at column 9/);
    submit('#frame-filter', 'arp');
    expect(text('[data-frames="hub0"]')).toContain('No frames match');
  });

  it('a NIC shows its registers', async () => {
    await mountPage(fakeSession());
    click('#topology [data-nic="beta.nic0"]');
    expect(text('.selection [data-nic-view]')).toContain('beta.nic0 ne2000-isa on hub0, MAC 00:00:e8:0b:00:02');
    expect($$('.selection .regs th').map((t) => t.textContent)).toEqual(['CR', 'ISR']);
  });
});

describe('opening', () => {
  it('an artifacts bundle shows the failed expectation and its time', async () => {
    await mountPage(fakeSession({ failure: { t: 9_000, expectation: 'beta.nic0 rx-accept >= 2', message: 'got 1' } }));
    expect(text('#failure')).toContain('beta.nic0 rx-accept >= 2');
    expect(text('#failure-time')).toBe('0.000009000');
  });

  it('a session that cannot open shows its one-line error', async () => {
    await mountPage(new Error('cannot load ./guest/bzImage (HTTP 404): the page serves a guest scenario\'s image only when `qnxemu web` was given the scenario\n    at fetchReader'));
    expect(text('#open-error')).toBe("cannot load ./guest/bzImage (HTTP 404): the page serves a guest scenario's image only when `qnxemu web` was given the scenario");
    expect(document.querySelector('#trace-hash')).toBeNull();
  });
});
