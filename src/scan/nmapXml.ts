import { isIpv4 } from './ipv4.js';
import {
  emptyTls,
  MAX_ELEM_CHARS,
  MAX_SCRIPT_ENTRIES,
  readSslCert,
  readSslEnumCiphers,
  type ScriptEntry,
} from './tlsScripts.js';
import type { PortProtocol, ScanHost, ScanKind, ScanPort, ScanResult, ScanService } from './types.js';
import { type RawAttrs, rawAttr, scanXml, type XmlHandler } from './xmlScanner.js';
import { decodeXmlText } from './xmlText.js';

/**
 * nmap `-oX` parser (pure). The input is hostile: any `<!ENTITY` or DTD subset is refused, no entity is expanded
 * (only the predefined entities and character references are decoded, by our own code), the size is capped and
 * the document must be well-formed. A result is accepted only when nmap reports `<finished exit="success">`;
 * anything else is an error, so a broken scan never marks devices absent. Never throws.
 */

export type ParseNmapXmlResult = { ok: true; result: ScanResult } | { ok: false; error: string };

export interface ParseNmapXmlOptions {
  /** Largest accepted input, in UTF-16 code units. Default 256 Mi. */
  maxChars?: number;
}

export const DEFAULT_MAX_XML_CHARS = 256 * 1024 * 1024;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const SERVICE_FIELDS = [
  'name',
  'product',
  'version',
  'extrainfo',
  'ostype',
  'devicetype',
  'tunnel',
  'method',
] as const;

function attr(a: RawAttrs, name: string): string | undefined {
  const v = rawAttr(a, name);
  return v === undefined ? undefined : decodeXmlText(v);
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return undefined;
  return Number(s);
}

function date(seconds: string | undefined): Date | undefined {
  const n = int(seconds);
  return n === undefined ? undefined : new Date(n * 1000);
}

interface HostDraft {
  state?: string;
  reason?: string;
  ip?: string;
  mac?: string;
  vendor?: string;
  hostnames: string[];
  ports: ScanPort[];
  timedOut: boolean;
}

interface RunInfo {
  start?: string;
  version?: string;
  args?: string;
  finished?: RawAttrs;
  counts?: RawAttrs;
  rootName?: string;
}

/** Builds ScanHosts while the tokenizer streams through the document. */
class NmapHandler implements XmlHandler {
  readonly run: RunInfo = {};
  readonly hosts: ScanHost[] = [];
  private readonly seen = new Set<string>();
  private host: HostDraft | undefined;
  private port: ScanPort | undefined;
  private service: ScanService | undefined;
  private cpeText: string | undefined;
  /** the ssl-cert / ssl-enum-ciphers <script> being read (other scripts are ignored) */
  private script: { id: string; entries: ScriptEntry[]; path: string[]; unkeyed: number } | undefined;
  private elem: { key: string; text: string } | undefined;

  constructor(private readonly kind: ScanKind) {}

  open(name: string, a: RawAttrs, parents: readonly string[]): void {
    const depth = parents.length;
    const parent = parents[depth - 1];
    if (depth === 0) {
      this.run.rootName = name;
      if (name !== 'nmaprun') return;
      this.run.start = attr(a, 'start');
      this.run.version = attr(a, 'version');
      this.run.args = attr(a, 'args');
      return;
    }
    if (parents[0] !== 'nmaprun') return;
    if (depth === 1) {
      if (name === 'host') this.host = { hostnames: [], ports: [], timedOut: attr(a, 'timedout') === 'true' };
      return;
    }
    if (parent === 'runstats' && depth === 2) {
      if (name === 'finished') this.run.finished = [...a];
      else if (name === 'hosts') this.run.counts = [...a];
      return;
    }
    const host = this.host;
    if (!host || parents[1] !== 'host') return;
    if (depth === 2) {
      if (name === 'status') {
        host.state = attr(a, 'state');
        host.reason = attr(a, 'reason');
      } else if (name === 'address') {
        this.address(host, a);
      }
      return;
    }
    if (name === 'hostname' && parent === 'hostnames' && depth === 3) {
      const hn = attr(a, 'name');
      if (hn && !host.hostnames.includes(hn)) host.hostnames.push(hn);
    } else if (name === 'port' && parent === 'ports' && depth === 3) {
      this.port = this.newPort(a);
      this.service = undefined;
    } else if (this.port && parent === 'port' && depth === 4) {
      if (name === 'state') this.port.state = attr(a, 'state') ?? 'unknown';
      else if (name === 'service') this.service = this.newService(a);
      else if (name === 'script') {
        const id = attr(a, 'id');
        if (id === 'ssl-cert' || id === 'ssl-enum-ciphers')
          this.script = { id, entries: [], path: [], unkeyed: 0 };
        else this.simpleScript(this.port, a);
      }
    } else if (this.service && name === 'cpe' && parent === 'service' && depth === 5) {
      this.cpeText = '';
    } else if (this.script && depth >= 5) {
      if (name === 'table') this.script.path.push(attr(a, 'key') ?? `#${this.script.unkeyed++}`);
      else if (name === 'elem') this.elem = { key: attr(a, 'key') ?? '', text: '' };
    }
  }

  text(raw: string, parents: readonly string[]): void {
    if (this.cpeText !== undefined && parents[parents.length - 1] === 'cpe') this.cpeText += raw;
    else if (this.elem && this.elem.text.length < MAX_ELEM_CHARS && parents[parents.length - 1] === 'elem')
      this.elem.text += raw.slice(0, MAX_ELEM_CHARS - this.elem.text.length);
  }

  private closeScriptPart(name: string, depth: number): void {
    const s = this.script;
    if (!s) return;
    if (name === 'elem' && this.elem) {
      if (s.entries.length < MAX_SCRIPT_ENTRIES)
        s.entries.push({ path: s.path.join('/'), key: this.elem.key, value: decodeXmlText(this.elem.text) });
      this.elem = undefined;
    } else if (name === 'table') {
      s.path.pop();
    } else if (name === 'script' && depth === 4) {
      if (this.port) {
        const tls = this.port.tls ?? emptyTls();
        if (s.id === 'ssl-cert') readSslCert(s.entries, tls);
        else readSslEnumCiphers(s.entries, tls);
        this.port.tls = tls;
      }
      this.script = undefined;
    }
  }

  close(name: string, parents: readonly string[]): void {
    const depth = parents.length;
    if (this.script) {
      this.closeScriptPart(name, depth);
      return;
    }
    if (name === 'cpe' && this.cpeText !== undefined && depth === 5) {
      const cpe = decodeXmlText(this.cpeText);
      if (cpe !== '') this.service?.cpe.push(cpe);
      this.cpeText = undefined;
    } else if (name === 'service' && depth === 4) {
      if (this.port && this.service) this.port.service = this.service;
    } else if (name === 'port' && depth === 3) {
      if (this.port && this.host && this.port.port > 0) this.host.ports.push(this.port);
      this.port = undefined;
      this.service = undefined;
    } else if (name === 'host' && depth === 1) {
      this.finishHost();
    }
  }

  private address(host: HostDraft, a: RawAttrs): void {
    const type = attr(a, 'addrtype');
    const addr = attr(a, 'addr');
    if (type === 'ipv4' && host.ip === undefined && isIpv4(addr)) {
      host.ip = addr;
    } else if (type === 'mac' && host.mac === undefined && addr !== undefined) {
      const lower = addr.toLowerCase();
      if (MAC_RE.test(lower)) {
        host.mac = lower;
        const vendor = attr(a, 'vendor');
        if (vendor) host.vendor = vendor;
      }
    }
  }

  /**
   * http-title / http-server-header results. Their `output` attribute is the value; http-title's notes
   * ("Site doesn't have a title", "Did not follow redirect to …") are not titles and are dropped.
   */
  private simpleScript(port: ScanPort, a: RawAttrs): void {
    const id = attr(a, 'id');
    const output = attr(a, 'output')?.trim();
    if (!output) return;
    if (id === 'http-title') {
      if (/^(site doesn't have a title|did not follow redirect|request failed)/i.test(output)) return;
      port.httpTitle = output.slice(0, 512);
    } else if (id === 'http-server-header') {
      port.httpServer = output.slice(0, 512);
    }
  }

  private newPort(a: RawAttrs): ScanPort | undefined {
    const protocol = attr(a, 'protocol');
    const port = int(attr(a, 'portid'));
    if ((protocol !== 'tcp' && protocol !== 'udp') || port === undefined || port < 1 || port > 65535) {
      return undefined;
    }
    return { protocol: protocol satisfies PortProtocol, port, state: 'unknown' };
  }

  private newService(a: RawAttrs): ScanService {
    const service: ScanService = { cpe: [] };
    for (const f of SERVICE_FIELDS) {
      const v = attr(a, f);
      if (v !== undefined && v !== '') service[f] = v;
    }
    const conf = int(attr(a, 'conf'));
    if (conf !== undefined) service.conf = conf;
    return service;
  }

  private finishHost(): void {
    const d = this.host;
    this.host = undefined;
    if (d?.state !== 'up' || d.ip === undefined || this.seen.has(d.ip)) return;
    this.seen.add(d.ip);
    const host: ScanHost = {
      ip: d.ip,
      hostnames: d.hostnames,
      status: 'up',
      ports: this.kind === 'ports' ? d.ports : [],
      portsScanned: this.kind === 'ports' && !d.timedOut,
    };
    if (d.mac !== undefined) host.mac = d.mac;
    if (d.vendor !== undefined) host.nmapVendor = d.vendor;
    if (d.reason) host.reason = d.reason;
    if (d.timedOut) host.timedOut = true;
    this.hosts.push(host);
  }
}

/** Looks at the input before tokenizing: type, size, entity declarations. */
function precheck(xml: unknown, maxChars: number): string | undefined {
  if (typeof xml !== 'string') return 'nmap output is not text';
  if (xml.length === 0) return 'nmap output is empty';
  if (xml.length > maxChars) return `nmap output is too large (${xml.length} characters, limit ${maxChars})`;
  if (/<!ENTITY/i.test(xml)) return 'nmap output declares XML entities (<!ENTITY); refused';
  if (!xml.includes('<nmaprun')) return 'nmap output has no <nmaprun> root element (not nmap XML)';
  return undefined;
}

/** Parses nmap `-oX` output into a ScanResult, or explains why it cannot be trusted. */
export function parseNmapXml(
  xml: string,
  kind: ScanKind,
  targets: string[],
  opts: ParseNmapXmlOptions = {},
): ParseNmapXmlResult {
  const bad = precheck(xml, opts.maxChars ?? DEFAULT_MAX_XML_CHARS);
  if (bad) return { ok: false, error: bad };
  const handler = new NmapHandler(kind);
  let syntax: string | undefined;
  try {
    syntax = scanXml(xml, handler);
  } catch (e) {
    return {
      ok: false,
      error: `nmap output could not be read: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (syntax) {
    const truncated = syntax.includes('truncated');
    return {
      ok: false,
      error: truncated
        ? `nmap output is truncated; the scan did not finish (${syntax})`
        : `nmap output is not well-formed XML: ${syntax}`,
    };
  }
  const run = handler.run;
  if (run.rootName !== 'nmaprun') {
    return { ok: false, error: `nmap output root element is <${run.rootName ?? ''}>, expected <nmaprun>` };
  }
  if (!run.finished) {
    return { ok: false, error: 'nmap output has no <runstats><finished>; the scan did not finish' };
  }
  const exit = attr(run.finished, 'exit');
  if (exit !== 'success') {
    const why = attr(run.finished, 'errormsg');
    return {
      ok: false,
      error: `nmap reported exit="${exit ?? 'missing'}"${why ? `: ${why.slice(0, 500)}` : ''}`,
    };
  }
  const hosts = handler.hosts;
  const finishedAt = date(attr(run.finished, 'time')) ?? new Date(0);
  const result: ScanResult = {
    kind,
    targets: [...targets],
    startedAt: date(run.start) ?? finishedAt,
    finishedAt,
    hosts,
    hostsUp: int(run.counts ? attr(run.counts, 'up') : undefined) ?? hosts.length,
    hostsTotal: int(run.counts ? attr(run.counts, 'total') : undefined) ?? hosts.length,
  };
  if (run.version) result.nmapVersion = run.version;
  if (run.args) result.args = run.args;
  return { ok: true, result };
}
