import { BuildfileError, parseBuildfile } from '../../firmware/buildfile';

const X86 = `###########################################################################
## QNX Neutrino 6.6 on an x86 PC with an NE2000 (BIOS boot)
###########################################################################
[virtual=x86,bios +compress] .bootstrap = {
    startup-bios -s 64k
    PATH=/proc/boot:/bin:/usr/bin LD_LIBRARY_PATH=/proc/boot:/lib:/lib/dll procnto-smp-instr -v
}

[+script] .script = {
    # Initialise the console
    procmgr_symlink ../../proc/boot/libc.so.3 /usr/lib/ldqnx.so.2

    display_msg Welcome to QNX Neutrino 6.6 on an x86 PC
    HOST=alpha
    io-pkt-v4 -dne2000 ioport=0x300,irq=5 -ptcpip
    waitfor /dev/socket 10
    ifconfig en0 10.0.0.1/24 up
    echo "\${HOST} is up"
    [+session pri=10r] ksh &
}

[type=link] /bin/sh=/proc/boot/ksh
[type=link] /tmp=/dev/shmem

/etc/hosts = {
127.0.0.1 localhost
10.0.0.2  beta
}

# Shared libraries
libc.so.3
libsocket.so.3
[perms=0755]
devnp-ne2000.so
[prefix=usr/bin] ping
/usr/bin/ifconfig=ifconfig
io-pkt-v4
`;

describe('buildfile parser', () => {
  test('a realistic x86 buildfile: bootstrap, script with line numbers, files, links, attributes', () => {
    const bf = parseBuildfile(X86, 'x86.build');
    expect(bf.bootAttrs).toEqual({ virtual: 'x86,bios', compress: true });
    expect(bf.bootstrap).toEqual([
      { text: 'startup-bios -s 64k', line: 5 },
      { text: 'PATH=/proc/boot:/bin:/usr/bin LD_LIBRARY_PATH=/proc/boot:/lib:/lib/dll procnto-smp-instr -v', line: 6 },
    ]);
    expect(bf.bootEnv).toEqual({ PATH: '/proc/boot:/bin:/usr/bin', LD_LIBRARY_PATH: '/proc/boot:/lib:/lib/dll' });
    expect(bf.kernel).toBe('procnto-smp-instr');
    expect(bf.script[0]).toEqual({ text: '    # Initialise the console', line: 10 });
    expect(bf.script.find((l) => l.text.includes('waitfor'))).toEqual({ text: '    waitfor /dev/socket 10', line: 16 });
    expect(bf.script.find((l) => l.text.includes('echo'))!.text).toBe('    echo "${HOST} is up"');
    expect(bf.script[bf.script.length - 1]).toEqual({ text: '    [+session pri=10r] ksh &', line: 19 });
    expect(bf.links).toEqual([
      { path: '/bin/sh', target: '/proc/boot/ksh' },
      { path: '/tmp', target: '/dev/shmem' },
    ]);
    expect(bf.files).toEqual([
      '/etc/hosts',
      '/proc/boot/libc.so.3',
      '/proc/boot/libsocket.so.3',
      '/proc/boot/devnp-ne2000.so',
      '/usr/bin/ping',
      '/usr/bin/ifconfig',
      '/proc/boot/io-pkt-v4',
    ]);
    const hosts = bf.entries.find((e) => e.path === '/etc/hosts')!;
    expect(hosts.kind).toBe('inline');
    expect(hosts.contents).toEqual([
      { text: '127.0.0.1 localhost', line: 26 },
      { text: '10.0.0.2  beta', line: 27 },
    ]);
    // [perms=0755] on its own line applies to everything after it.
    expect(bf.entries.find((e) => e.path === '/proc/boot/devnp-ne2000.so')!.attrs).toEqual({ perms: '0755' });
    expect(bf.entries.find((e) => e.path === '/proc/boot/libc.so.3')!.attrs).toEqual({});
    expect(bf.entries.find((e) => e.path === '/usr/bin/ifconfig')).toMatchObject({ kind: 'file', source: 'ifconfig', attrs: { perms: '0755' } });
  });

  test('the built-in default scenario files parse', () => {
    const text = `[virtual=x86,bios +compress] boot = {
    startup-bios -v
    PATH=/proc/boot procnto-smp
}
[+script] .script = {
    io-pkt-v4 -dne2000
}
io-pkt-v4
`;
    const bf = parseBuildfile(text, 'a.build');
    expect(bf.script).toEqual([{ text: '    io-pkt-v4 -dne2000', line: 6 }]);
    expect(bf.files).toEqual(['/proc/boot/io-pkt-v4']);
  });

  test('a one-line inline body, escaped braces and quoted attribute values', () => {
    const bf = parseBuildfile('[+script] .script = { echo \\} done }\n[search="/a b" uid=0 -optional] /x="my file"\n', 'b');
    expect(bf.script).toEqual([{ text: ' echo } done ', line: 1 }]);
    expect(bf.entries[1]).toMatchObject({ path: '/x', source: 'my file', attrs: { search: '/a b', uid: '0', optional: false } });
  });

  const located = (text: string): [number, number, string] => {
    try {
      parseBuildfile(text, 'bad.build');
    } catch (e) {
      if (e instanceof BuildfileError) {
        expect(e.file).toBe('bad.build');
        expect(e.message).toBe(`bad.build:${e.line}:${e.col}: ${e.problem}`);
        return [e.line, e.col, e.problem];
      }
      throw e;
    }
    throw new Error('no error');
  };

  test('errors are located: unterminated {, bad attributes, two scripts, no script, stray text', () => {
    expect(located('[+script] .script = {\n  echo hi\n')).toEqual([1, 21, "unterminated inline file: '{' has no matching '}'"]);
    expect(located('[+script .script = { }\n')).toEqual([1, 10, "bad attribute '.script': expected +name, -name or name=value"]);
    expect(located('[+script] .script = { }\n[perms 0755] foo\n')).toEqual([2, 2, "bad attribute 'perms': expected +name, -name or name=value"]);
    expect(located('[+script] .script = { }\n[perms=] foo\n')).toEqual([2, 2, "bad attribute 'perms=': expected +name, -name or name=value"]);
    expect(located('[+script] .script = { }\n[uid=0\n')).toEqual([2, 1, "unterminated attribute list: '[' has no matching ']'"]);
    expect(located('[+script] .a = { }\n\n  [+script] .b = { x }\n')).toEqual([3, 13, 'a second script file (the first is at line 1)']);
    expect(located('foo\nbar\n')).toEqual([1, 1, 'no [+script] file in the buildfile: nothing would run after boot']);
    expect(located('[+script] .script = { }\nfoo bar\n')).toEqual([2, 5, "unexpected 'b' after the file specification"]);
    expect(located('[+script] .script = { }\n/x=\n')).toEqual([2, 4, "missing source after '/x='"]);
    expect(located('[+script] .script = { }\n= { }\n')).toEqual([2, 1, "'=' unexpected: expected a file name"]);
    expect(located('[+script] .script = { }\n[type=link] /tmp\n')).toEqual([2, 13, "link '/tmp' needs a target: /tmp=/path"]);
  });
});
