/** The findings repository onto the HTTP API's findings port (groups, accepts, expected ports, TLS facts). */
import { AcceptsRepo } from '../../store/acceptsRepo.js';
import type { Db } from '../../store/db.js';
import { ExpectedPortsRepo } from '../../store/expectedPortsRepo.js';
import type { FindingsRepo } from '../../store/findingsRepo.js';
import { TlsRepo } from '../../store/tlsRepo.js';
import { groupFindings } from '../../threats/groups.js';
import { SEVERITY_RANK } from '../../vocabulary.js';
import type { FindingsPort } from '../ports.js';

export interface FindingsPortOptions {
  /** the database of `repo` (accepts, expected ports); without it accept/expected calls answer null/empty */
  db?: Db;
  /** re-evaluate one device after an accept or expected-ports edit (risk, findings, HA state, changes) */
  reassess?: (mac: string) => void;
}

/** "tcp/22" keys, validated at the edge (schemas.ts); kept sorted and unique by the repository. */
export function findingsPort(repo: FindingsRepo, opts: FindingsPortOptions = {}): FindingsPort {
  const accepts = opts.db ? new AcceptsRepo(opts.db) : null;
  const expected = opts.db ? new ExpectedPortsRepo(opts.db) : null;
  const tls = opts.db ? new TlsRepo(opts.db) : null;
  const reassess = (mac: string) => opts.reassess?.(mac);
  return {
    groups(q) {
      const active = repo.list({ status: 'active', limit: 5000, ...(q.mac ? { mac: q.mac } : {}) });
      let groups = groupFindings(active);
      if (q.min_severity) {
        const min = SEVERITY_RANK[q.min_severity];
        groups = groups.filter((g) => SEVERITY_RANK[g.severity] >= min);
      }
      if (q.accepted === 'exclude') groups = groups.filter((g) => !g.accepted);
      if (q.accepted === 'only') groups = groups.filter((g) => g.accepted);
      return { items: groups.slice(q.offset, q.offset + q.limit), total: groups.length };
    },
    accepts: (mac) => accepts?.active(new Date(), mac) ?? [],
    accept(a, by, now) {
      if (!accepts) return null;
      const active = repo.list({ mac: a.mac, status: 'active', limit: 5000, now });
      const hit = active.filter((f) =>
        a.scope === 'finding' ? f.key === a.target : (f.group ?? f.key) === a.target,
      );
      if (hit.length === 0) return null;
      const created = accepts.create({
        mac: a.mac,
        scope: a.scope,
        target: a.target,
        // the version it was given for: a new product version brings the finding back
        version: hit[0]?.version ?? null,
        reason: a.reason,
        expiresAt: a.expires_at ? new Date(a.expires_at).toISOString() : null,
        createdAt: now.toISOString(),
        createdBy: by,
      });
      reassess(a.mac);
      return created;
    },
    revoke(id, now) {
      const r = accepts?.revoke(id, now) ?? null;
      if (r) reassess(r.mac);
      return r;
    },
    expectedPorts: (mac) => expected?.get(mac) ?? null,
    tls: (mac) => tls?.forDevice(mac) ?? [],
    setExpectedPorts(mac, ports, now) {
      if (!expected) return null;
      let out: ReturnType<ExpectedPortsRepo['set']> | null = null;
      if (ports === null) expected.clear(mac);
      else out = expected.set(mac, ports, now);
      reassess(mac);
      return out;
    },
    list(q) {
      const filter = {
        ...(q.mac ? { mac: q.mac } : {}),
        ...(q.min_severity ? { minSeverity: q.min_severity } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        status: q.status,
      };
      return {
        items: repo.list({ ...filter, limit: q.limit, offset: q.offset }),
        total: repo.count(filter),
      };
    },
    activeCountByMac: (macs) => repo.activeCountsByMac(macs),
    activeCountBySeverity: () => repo.activeCountsBySeverity(),
  };
}
