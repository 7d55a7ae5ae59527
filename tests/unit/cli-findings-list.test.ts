/**
 * `lan-sentinel findings` (issue 16, found in the tmux screenshot: within one severity the order looked
 * arbitrary, and 46 rows came with no word of how many there are or how to see fewer/more): the command,
 * through the real ApiClient over a transport that pages like the API, in the API's own order.
 */
import { describe, expect, it } from 'vitest';
import type { FindingJson } from '../../src/api/schemas.js';
import { parseArgs } from '../../src/cli/args.js';
import { ApiClient, type Transport } from '../../src/cli/client.js';
import { findingsCommand } from '../../src/cli/commands/admin.js';
import type { Ctx } from '../../src/cli/context.js';
import { FINDINGS_SHOWN, sortFindings } from '../../src/cli/findingList.js';

const DEVICES = [
  { mac: '00:11:32:aa:bb:cc', name: 'Synology NAS .30' },
  { mac: 'b8:27:eb:12:34:56', name: 'Raspberry Pi server .10' },
  { mac: '78:8a:20:10:00:01', name: 'Ubiquiti access point .1' },
  { mac: 'c0:56:e3:77:88:99', name: 'Hikvision camera .60' },
];
const SEVS = ['critical', 'high', 'high', 'medium', 'high', 'low'] as const;

/** 46 findings over four devices, many with the same severity and CVSS, in a scrambled (API-like) order. */
function findings(): FindingJson[] {
  const out: FindingJson[] = [];
  for (let i = 0; i < 46; i++) {
    const d = DEVICES[(i * 7) % DEVICES.length]!;
    out.push({
      id: i + 1,
      mac: d.mac,
      device_name: d.name,
      severity: SEVS[i % SEVS.length]!,
      cvss: i % 5 === 0 ? null : [7.5, 9.8, 5.3][i % 3]!,
      known_exploited: i === 13,
      active: true,
      port: [80, 22, 23][i % 3]!,
      protocol: 'tcp',
      cve: `CVE-2024-${1000 + i}`,
      title: `CVE-2024-${1000 + i} in something`,
    } as FindingJson);
  }
  return out;
}

function ctxFor(argv: string[], items: FindingJson[]): { ctx: Ctx; lines: string[]; requests: string[] } {
  const lines: string[] = [];
  const requests: string[] = [];
  const transport: Transport = {
    where: 'test',
    remote: true,
    async send(_m, path) {
      requests.push(path);
      const u = new URL(path, 'http://x/');
      const limit = Number(u.searchParams.get('limit'));
      const offset = Number(u.searchParams.get('offset'));
      return {
        status: 200,
        headers: {},
        body: { items: items.slice(offset, offset + limit), total: items.length, limit, offset },
      };
    },
    async close() {},
  };
  const args = parseArgs(argv);
  const ctx: Ctx = {
    client: new ApiClient(transport),
    args,
    json: args.flags.json === true,
    now: new Date('2026-12-04T10:00:00Z'),
    width: 100,
    colour: false,
    out: (s) => lines.push(...s.split('\n')),
    err: () => undefined,
    stderr: { write: () => undefined },
    scanEvents: () => () => undefined,
  };
  return { ctx, lines, requests };
}

const RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;

describe('findings: order', () => {
  it('known exploited first, then severity, then CVSS, then device, then port: the same every run', () => {
    const s = sortFindings(findings());
    expect(s[0]!.known_exploited).toBe(true);
    const rest = s.slice(1);
    for (let i = 1; i < rest.length; i++) {
      const [a, b] = [rest[i - 1]!, rest[i]!];
      const key = (f: FindingJson) => [
        -RANK[f.severity],
        -(f.cvss ?? -1),
        (f.device_name ?? f.mac).toLowerCase(),
        f.port ?? 65536,
      ];
      const [ka, kb] = [key(a), key(b)];
      const first = ka.findIndex((v, j) => v !== kb[j]);
      if (first >= 0) expect(ka[first]! < kb[first]!, `${a.id} before ${b.id}`).toBe(true);
    }
    // the API's order does not matter
    expect(sortFindings([...findings()].reverse()).map((f) => f.id)).toEqual(s.map((f) => f.id));
  });
});

describe('findings: the command', () => {
  it('shows the first 40 in that order, and says how many there are and how to see the rest', async () => {
    const { ctx, lines } = ctxFor(['findings'], findings());
    expect(await findingsCommand(ctx)).toBe(0);
    const rows = lines.filter((l) => /^\s*\d+\s+(critical|high|medium|low|info)/.test(l));
    expect(rows).toHaveLength(FINDINGS_SHOWN);
    const ids = rows.map((r) => Number(r.trim().split(/\s+/)[0]));
    expect(ids).toEqual(
      sortFindings(findings())
        .slice(0, FINDINGS_SHOWN)
        .map((f) => f.id),
    );
    expect(lines.join('\n')).toMatch(/46 findings, showing 1–40/);
    expect(lines.join('\n')).toMatch(/--limit N or --all/);
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+CVSS\s+DEVICE/);
    // device names, not MACs
    expect(rows[0]).toContain('Hikvision camera .60');
    for (const r of rows) expect(r).not.toMatch(/[0-9a-f]{2}:[0-9a-f]{2}:/);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(100);
  });

  it('--all shows every one, --limit N the first N; no "showing" when all are shown', async () => {
    const all = ctxFor(['findings', '--all'], findings());
    await findingsCommand(all.ctx);
    expect(all.lines.filter((l) => /^\s*\d+\s+(critical|high|medium|low)/.test(l))).toHaveLength(46);
    expect(all.lines.join('\n')).toMatch(/^46 findings \(KEV = known exploited\)/m);
    expect(all.lines.join('\n')).not.toMatch(/showing/);
    const five = ctxFor(['findings', '--limit', '5'], findings());
    await findingsCommand(five.ctx);
    expect(five.lines.filter((l) => /^\s*\d+\s+(critical|high|medium|low)/.test(l))).toHaveLength(5);
    expect(five.lines.join('\n')).toMatch(/46 findings, showing 1–5/);
  });

  it('--json lists all of them in the same order (or the first --limit N)', async () => {
    const j = ctxFor(['findings', '--json'], findings());
    await findingsCommand(j.ctx);
    const out = JSON.parse(j.lines.join('\n')) as FindingJson[];
    expect(out.map((f) => f.id)).toEqual(sortFindings(findings()).map((f) => f.id));
    const l = ctxFor(['findings', '--json', '--limit', '3'], findings());
    await findingsCommand(l.ctx);
    expect((JSON.parse(l.lines.join('\n')) as unknown[]).length).toBe(3);
  });

  it('--limit must be a positive number', async () => {
    const { ctx } = ctxFor(['findings', '--limit', '0'], findings());
    await expect(findingsCommand(ctx)).rejects.toThrow(/--limit must be a positive number/);
  });
});
