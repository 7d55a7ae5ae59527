import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNmapXml } from '../../src/scan/nmapXml.js';
import type { ScanResult } from '../../src/scan/types.js';
import { type RawAttrs, rawAttr, scanXml } from '../../src/scan/xmlScanner.js';
import { decodeXmlText } from '../../src/scan/xmlText.js';
import { generateNmapScan } from '../helpers/nmapXmlGen.js';

const dir = join(import.meta.dirname, '../fixtures/nmap');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

function ok(xml: string, kind: 'sweep' | 'ports' = 'sweep'): ScanResult {
  const r = parseNmapXml(xml, kind, ['10.213.1.0/24']);
  if (!r.ok) throw new Error(`expected success, got: ${r.error}`);
  return r.result;
}

function fails(xml: string, kind: 'sweep' | 'ports' = 'sweep'): string {
  const r = parseNmapXml(xml, kind, ['10.213.1.0/24']);
  if (r.ok) throw new Error('expected a parse failure');
  return r.error;
}

describe('parseNmapXml: real-shaped fixtures', () => {
  it('reads an ARP sweep: up hosts, lowercase MACs, nmap vendors, run metadata', () => {
    const r = ok(fixture('sweep-arp.xml'));
    expect(r.kind).toBe('sweep');
    expect(r.targets).toEqual(['10.213.1.0/24']);
    expect(r.nmapVersion).toBe('7.93');
    expect(r.args).toBe(
      'nmap -n -sn -PR -T4 --max-retries 2 --stats-every 2s -oX - --exclude 10.213.1.250 -- 10.213.1.0/24',
    );
    expect(r.startedAt.toISOString()).toBe('2026-11-21T12:50:00.000Z');
    expect(r.finishedAt.toISOString()).toBe('2026-11-21T12:50:03.000Z');
    expect(r.hostsUp).toBe(5);
    expect(r.hostsTotal).toBe(255);
    expect(r.hosts.map((h) => [h.ip, h.mac, h.nmapVendor])).toEqual([
      ['10.213.1.1', 'b0:be:76:12:34:56', 'TP-Link Technologies'],
      ['10.213.1.23', '24:0a:c4:ab:cd:ef', 'Espressif'],
      ['10.213.1.57', 'dc:a6:32:01:02:03', 'Raspberry Pi Trading'],
      ['10.213.1.101', '3c:22:fb:aa:bb:cc', 'Apple'],
      ['10.213.1.2', undefined, undefined],
    ]);
    for (const h of r.hosts) {
      expect(h).toMatchObject({ status: 'up', ports: [], portsScanned: false, hostnames: [] });
    }
    expect(r.hosts[0]!.reason).toBe('arp-response');
  });

  it('reads a -sS -sV scan: services, versions, CPE lists (one or many), tunnel, timed-out hosts', () => {
    const r = ok(fixture('ports-sv.xml'), 'ports');
    expect(r.hosts.map((h) => h.ip)).toEqual([
      '10.213.1.10',
      '10.213.1.31',
      '10.213.1.57',
      '10.213.1.80',
      '10.213.1.99',
    ]);
    const nas = r.hosts[0]!;
    expect(nas.portsScanned).toBe(true);
    expect(nas.ports).toEqual([
      {
        protocol: 'tcp',
        port: 22,
        state: 'open',
        service: {
          name: 'ssh',
          product: 'OpenSSH',
          version: '8.2p1 Ubuntu 4ubuntu0.5',
          extrainfo: 'Ubuntu Linux; protocol 2.0',
          ostype: 'Linux',
          method: 'probed',
          conf: 10,
          cpe: ['cpe:/a:openbsd:openssh:8.2p1', 'cpe:/o:linux:linux_kernel'],
        },
      },
      {
        protocol: 'tcp',
        port: 80,
        state: 'open',
        service: {
          name: 'http',
          product: 'nginx',
          version: '1.18.0',
          extrainfo: 'Ubuntu',
          ostype: 'Linux',
          method: 'probed',
          conf: 10,
          cpe: ['cpe:/a:igor_sysoev:nginx:1.18.0', 'cpe:/o:linux:linux_kernel'],
        },
      },
      {
        protocol: 'tcp',
        port: 443,
        state: 'open',
        service: {
          name: 'http',
          product: 'nginx',
          version: '1.18.0',
          tunnel: 'ssl',
          method: 'probed',
          conf: 10,
          cpe: ['cpe:/a:igor_sysoev:nginx:1.18.0'],
        },
      },
    ]);
    const camera = r.hosts[1]!;
    expect(camera.ports.map((p) => [p.port, p.service?.name, p.service?.product, p.service?.cpe])).toEqual([
      [21, 'ftp', 'vsftpd', ['cpe:/a:vsftpd:vsftpd:2.3.4']],
      [23, 'telnet', 'BusyBox telnetd', ['cpe:/a:busybox:busybox']],
      [554, 'rtsp', undefined, []],
    ]);
    expect(camera.ports[1]!.service!.devicetype).toBe('webcam');
    // a host with a single <port> and a single <hostname>
    const pihole = r.hosts[2]!;
    expect(pihole.hostnames).toEqual(['pi-hole.lan']);
    expect(pihole.ports).toHaveLength(1);
    expect(pihole.ports[0]!.service!.cpe).toEqual(['cpe:/a:thekelleys:dnsmasq:pi-hole-v2.89']);
    expect(r.hosts[3]!.ports.map((p) => [p.port, p.state])).toEqual([
      [80, 'closed'],
      [8080, 'open'],
    ]);
    const bulb = r.hosts[4]!;
    expect(bulb).toMatchObject({ timedOut: true, portsScanned: false, ports: [] });
  });

  it('the same XML read as a sweep carries no ports', () => {
    const r = ok(fixture('ports-sv.xml'), 'sweep');
    expect(r.hosts.every((h) => h.ports.length === 0 && !h.portsScanned)).toBe(true);
  });

  it('keeps hostile strings as data (markup, shell, 10 kB, bidi, quotes, newlines) and drops NULs', () => {
    const r = ok(fixture('hostile-hostnames.xml'));
    const names = Object.fromEntries(r.hosts.map((h) => [h.ip, h.hostnames]));
    expect(names['10.213.9.2']).toEqual(['<script>alert(1)</script>']);
    expect(names['10.213.9.3']).toEqual(['$(reboot)']);
    expect(names['10.213.9.4']![0]).toBe(`${'a'.repeat(10240)}.evil.lan`);
    expect(names['10.213.9.5']).toEqual(['invoice\u202Egpj.exe']);
    expect(names['10.213.9.6']).toEqual([`"quoted' name"`]);
    expect(names['10.213.9.7']).toEqual(['line1\nline2']);
    expect(names['10.213.9.8']).toEqual(['nulbyte']);
    expect(names['10.213.9.9']).toEqual(['`id`;x.x.$(touch p)']);
    expect(names['10.213.9.50']).toEqual(['raw\u202Eutf8']);
    expect(r.hosts.find((h) => h.ip === '10.213.9.2')!.nmapVendor).toBe('Espressif <b>');
    const evil = r.hosts.find((h) => h.ip === '10.213.9.50')!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile payload
    expect(evil.nmapVendor).toBe('{{7*7}} ${7*7}');
    expect(evil.ports).toEqual([]); // sweep
    const asPorts = ok(fixture('hostile-hostnames.xml'), 'ports').hosts.find((h) => h.ip === '10.213.9.50')!;
    expect(asPorts.ports[0]!.service).toMatchObject({
      product: '<img src=x onerror=alert(1)>',
      version: "'; DROP TABLE devices;--",
      extrainfo: 'Jörg\u2019s NAS \u202E',
      cpe: ['cpe:/a:evil:<x>'],
    });
    expect(r.hosts.some((h) => h.ip === '10.213.9.99')).toBe(false); // down host
    expect(r.hosts).toHaveLength(10);
  });

  it("rejects a failed run, naming nmap's error", () => {
    expect(fails(fixture('failed.xml'))).toMatch(/^nmap reported exit="error": pcap_open_live\(eth9/);
  });

  it('rejects a truncated file', () => {
    expect(fails(fixture('truncated.xml'), 'ports')).toMatch(/truncated/);
  });

  it('rejects an entity bomb before parsing', () => {
    expect(fails(fixture('entity-bomb.xml'))).toMatch(/<!ENTITY/);
  });
});

describe('parseNmapXml: corrupted corpus', () => {
  const good = fixture('ports-sv.xml');
  const cases: Array<[string, string]> = [
    ['empty (cut at byte 0)', good.slice(0, 0)],
    ['cut at byte 1', good.slice(0, 1)],
    ['cut at byte 64', good.slice(0, 64)],
    ['cut at 50%', good.slice(0, Math.floor(good.length / 2))],
    ['one byte short', good.slice(0, -1).replace(/>\s*$/, '')],
    ['</nmaprun> missing', good.replace('</nmaprun>', '')],
    ['runstats missing', good.replace(/<runstats>[\s\S]*<\/runstats>/, '')],
    ['exit="error"', good.replace('exit="success"', 'exit="error"')],
    ['no exit attribute', good.replace(' exit="success"', '')],
    ['1 MB of random bytes', randomBytes(1024 * 1024).toString('latin1')],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from(good.slice(0, 2000)), Buffer.from([0xff, 0xfe, 0xc3])]).toString(),
    ],
    ['wrong root', '<?xml version="1.0"?><html><nmaprun/></html>'],
    ['two roots', `${good}<nmaprun/>`],
    ['text after root', `${good}garbage`],
    ['mismatched tag', good.replace('</ports>', '</port>')],
    ['CDATA', good.replace('<verbose level="0"/>', '<![CDATA[x]]>')],
    ['DOCTYPE subset', good.replace('<!DOCTYPE nmaprun>', '<!DOCTYPE nmaprun [ <!ELEMENT a ANY> ]>')],
    ['DOCTYPE SYSTEM', good.replace('<!DOCTYPE nmaprun>', '<!DOCTYPE nmaprun SYSTEM "file:///etc/passwd">')],
    ['< inside attribute', good.replace('vendor="Synology Incorporated"', 'vendor="a<b"')],
    ['duplicate attribute', good.replace('addrtype="ipv4"', 'addrtype="ipv4" addrtype="mac"')],
    ['unquoted attribute', good.replace('state="open"', 'state=open')],
    ['nesting bomb', good.replace('<verbose level="0"/>', `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`)],
    ['not a string', 42 as unknown as string],
  ];

  it.each(cases)('%s → a typed error, no throw', (_name, xml) => {
    const before = process.memoryUsage().heapUsed;
    const t = performance.now();
    const r = parseNmapXml(xml, 'ports', ['10.213.1.0/24']);
    const ms = performance.now() - t;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^nmap /);
    const heapMb = (process.memoryUsage().heapUsed - before) / 1e6;
    console.log(`corpus ${_name}: ${ms.toFixed(1)} ms, heap ${heapMb.toFixed(1)} MB`);
  });

  it('keeps invalid UTF-8 as replacement characters (raw) or Latin-1 (nmap byte escapes)', () => {
    const raw = Buffer.from(good.replace('pi-hole.lan', 'pi-\u0001.lan'))
      .toString('latin1')
      .replace('pi-\u0001.lan', 'pi-\xff\xfe.lan');
    const asUtf8 = Buffer.from(raw, 'latin1').toString('utf8');
    expect(ok(asUtf8, 'ports').hosts[2]!.hostnames).toEqual(['pi-\uFFFD\uFFFD.lan']);
    const escaped = good.replace('pi-hole.lan', 'pi-&#xff;&#xfe;.lan');
    expect(ok(escaped, 'ports').hosts[2]!.hostnames).toEqual(['pi-\u00ff\u00fe.lan']);
  });

  it('refuses input over the size cap', () => {
    expect(parseNmapXml(good, 'ports', [], { maxChars: 1000 })).toEqual({
      ok: false,
      error: `nmap output is too large (${good.length} characters, limit 1000)`,
    });
  });

  it('treats __proto__ and constructor names as plain data', () => {
    const xml = good
      .replace('<verbose level="0"/>', '<__proto__ polluted="yes"/><constructor __proto__="x"/>')
      .replace(
        '<status state="up" reason="arp-response"',
        '<status __proto__="x" state="up" reason="arp-response"',
      );
    const r = ok(xml, 'ports');
    expect(r.hosts).toHaveLength(5);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('decodeXmlText', () => {
  it('decodes the predefined entities and character references only', () => {
    expect(decodeXmlText('&lt;a&gt; &amp;amp; &quot;&apos; &#45;&#x2d; &nbsp; &lol9;')).toBe(
      `<a> &amp; "' -- &nbsp; &lol9;`,
    );
  });
  it('reassembles nmap byte escapes as UTF-8, else Latin-1', () => {
    expect(decodeXmlText('J&#xc3;&#xb6;rg &#xe2;&#x80;&#xae;x')).toBe('Jörg \u202Ex');
    expect(decodeXmlText('caf&#xe9;')).toBe('café');
    expect(decodeXmlText('&#x1F600;&#xD800;&#x110000;')).toBe('😀\uFFFD\uFFFD');
  });
  it('drops NUL however it is written', () => {
    expect(decodeXmlText('a\0b&#0;c&#x0;d')).toBe('abcd');
  });
});

describe('scanXml', () => {
  it('reports where a document breaks', () => {
    const noop = { open() {}, close() {} };
    expect(scanXml('<a><b></a>', noop)).toMatch(/closing tag <\/a> does not match <b> at offset 6/);
    expect(scanXml('<a x="1"', noop)).toMatch(/truncated/);
    expect(scanXml('<a x="1"y="2"/>', noop)).toMatch(/missing space before an attribute/);
    expect(scanXml('<a/>', noop)).toBeUndefined();
  });

  it('hands over each attribute as written and refuses duplicates and "<" in a value', () => {
    const seen: Array<[string, string | undefined, string | undefined, string | undefined]> = [];
    const h = {
      open(name: string, a: RawAttrs) {
        seen.push([name, rawAttr(a, 'x'), rawAttr(a, 'xy'), rawAttr(a, 'y')]);
      },
      close() {},
    };
    expect(scanXml(`<a x="1" xy='2&amp;' y=""><b y="3"/></a>`, h)).toBeUndefined();
    expect(seen).toEqual([
      ['a', '1', '2&amp;', ''],
      ['b', undefined, undefined, '3'],
    ]);
    const noop = { open() {}, close() {} };
    expect(scanXml('<a xy="1" xy="2"/>', noop)).toMatch(/duplicate attribute xy/);
    expect(scanXml('<a x="1" xx="2" x="3"/>', noop)).toMatch(/duplicate attribute x in/);
    expect(scanXml('<a x="1<2"/>', noop)).toMatch(/"<" inside attribute x/);
    // the '<' search runs ahead to the next tag; a later value must still be checked
    expect(scanXml(`<a x="1">text<b y="2" z="<"/></a>`, noop)).toMatch(/"<" inside attribute z/);
  });

  it('keeps a copy of the attributes and tells 300 element names apart', () => {
    let kept: RawAttrs | undefined;
    const names: string[] = [];
    const h = {
      open(name: string, a: RawAttrs) {
        names.push(name);
        if (name === 'keep') kept = [...a];
      },
      close() {},
    };
    const inner = Array.from({ length: 300 }, (_, i) => `<n${i}/>`).join('');
    expect(scanXml(`<r><keep v="yes"/>${inner}<n7 q="1"/></r>`, h)).toBeUndefined();
    expect(kept && rawAttr(kept, 'v')).toBe('yes');
    expect(names).toEqual(['r', 'keep', ...Array.from({ length: 300 }, (_, i) => `n${i}`), 'n7']);
  });
});

describe('parseNmapXml: generated 5,000-host scan', () => {
  it('parses every host, MAC and port exactly, and reports the time', () => {
    const { xml, hosts } = generateNmapScan({
      hosts: 5000,
      portsPerHost: 10,
      kind: 'ports',
      seed: 42,
      downEvery: 0,
    });
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = ok(xml, 'ports');
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - t;
    console.log(
      `parseNmapXml 5000 hosts x 10 ports (${(xml.length / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms wall, ` +
        `${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
    );
    expect(r.hosts).toHaveLength(5000);
    expect(r.hostsUp).toBe(5000);
    expect(new Set(r.hosts.map((h) => h.ip)).size).toBe(5000);
    expect(new Set(r.hosts.map((h) => h.mac)).size).toBe(5000);
    for (let i = 0; i < hosts.length; i++) {
      const want = hosts[i]!;
      const got = r.hosts[i]!;
      expect(got.ip).toBe(want.ip);
      expect(got.mac).toBe(want.mac);
      expect(got.nmapVendor).toBe(want.vendor);
      expect(got.ports.map((p) => p.port)).toEqual(want.ports);
      expect(got.portsScanned).toBe(true);
    }
    const ssh = r.hosts.flatMap((h) => h.ports).find((p) => p.port === 22)!;
    expect(ssh.service?.cpe).toEqual(['cpe:/a:openbsd:openssh:8.4p1', 'cpe:/o:linux:linux_kernel']);
  });

  it('skips down hosts in a generated sweep', () => {
    const { xml, hosts } = generateNmapScan({
      hosts: 1000,
      portsPerHost: 0,
      kind: 'sweep',
      seed: 3,
      downEvery: 4,
    });
    const r = ok(xml, 'sweep');
    expect(r.hosts.map((h) => h.ip)).toEqual(hosts.map((h) => h.ip));
    expect(r.hosts).toHaveLength(750);
    expect(r.hostsTotal).toBe(1000);
  });
});
