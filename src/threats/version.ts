/**
 * Version strings as nmap -sV reports them: "7.2p2", "8.9p1 Ubuntu-3ubuntu0.1", "2.4.49", "1.1.1k",
 * "2019.78", "4.6.4-Debian", "5.7.36-0ubuntu0", "1.3.5rc3", "9.0.0.M1".
 *
 * A version is split into a numeric/alphabetic core ("8.9p1") and a suffix ("Ubuntu-3ubuntu0.1") that
 * usually names the distribution build. The core is tokenised into numbers and letter runs and compared
 * token by token:
 *  - numbers compare numerically; a missing number counts as 0 ("10" == "10.0");
 *  - pre-release words (dev < alpha < beta < pre < rc, and the Tomcat milestone "m") sort BEFORE the
 *    release they precede ("1.3.5rc3" < "1.3.5");
 *  - other letters are post-release (OpenSSL "1.0.1f", ProFTPD "1.3.5a") and sort AFTER the bare release,
 *    compared alphabetically ("1.0.2z" < "1.0.2za" < "1.0.2zb");
 *  - OpenSSH's portable suffix is the exception: "7.7p1" equals "7.7" (see portableSuffixOnly).
 */
export type VersionPart = number | string;

export interface ParsedVersion {
  raw: string;
  /** The comparable part, e.g. "8.9p1". */
  core: string;
  parts: VersionPart[];
  /** What followed the core (distribution build, "(Ubuntu)", "fips", …) or null. */
  suffix: string | null;
  /** The suffix names a distribution build that may carry backported fixes. */
  distroPatched: boolean;
  /**
   * false when the string is not one exact version: wildcards ("3.X - 4.X"), ranges, "9.6.0 or later",
   * or no digits at all. Imprecise versions are never matched against CVE ranges.
   */
  precise: boolean;
  /** Number of numeric components before the first letter run, e.g. 3 for "2.4.49", 2 for "7.2p2". */
  numericDepth: number;
}

const PRE_RELEASE: Record<string, number> = { dev: 0, alpha: 1, a: 1, beta: 2, b: 2, pre: 3, m: 3, rc: 4 };
const PRE_ONLY_AFTER_SEPARATOR = new Set(['a', 'b', 'm']);

const DISTRO_RE =
  /(ubuntu|debian|raspbian|\bdeb\d|\+deb|~deb|\bbpo\d|[.\-_+]el\d|\bel\d+\b|\bfc\d+|centos|red ?hat|rhel|suse|alpine|\.amzn|ubnt|armbian)/i;
const IMPRECISE_RE = /\bor (later|earlier|newer|older)\b|\s-\s|\bx\b|\*|\?|\//i;

/** Does this version (or its suffix) name a distribution build, e.g. "8.9p1 Ubuntu-3ubuntu0.1", "7.4p1 Debian 10+deb9u7"? */
export function isDistroPatched(version: string): boolean {
  return DISTRO_RE.test(version);
}

function tokenize(core: string): { parts: VersionPart[]; preFlags: boolean[] } {
  const parts: VersionPart[] = [];
  const preFlags: boolean[] = [];
  const re = /(\d+)|([a-z]+)/gi;
  let m: RegExpExecArray | null = re.exec(core);
  while (m) {
    if (m[1] !== undefined) {
      parts.push(Number.parseInt(m[1], 10));
      preFlags.push(false);
    } else if (m[2] !== undefined) {
      const word = m[2].toLowerCase();
      const prev = core[m.index - 1];
      const afterSep = prev === '.' || prev === '-' || prev === '_' || prev === '~';
      const isPre = word in PRE_RELEASE && (!PRE_ONLY_AFTER_SEPARATOR.has(word) || afterSep);
      parts.push(word);
      preFlags.push(isPre);
    }
    m = re.exec(core);
  }
  return { parts, preFlags };
}

const CACHE = new Map<string, ParsedVersion>();

export function parseVersion(input: string): ParsedVersion {
  const cached = CACHE.get(input);
  if (cached) return cached;
  const raw = input.trim();
  // core: a digit, then word characters and dots ("8.9p1", "1.1.1k", "9.0.0.M1"); a "-rc1"/"-beta"/"~pre2" tail joins it.
  const m = /^v?(\d[\w.]*)/i.exec(raw);
  let core = '';
  let rest = raw;
  if (m?.[1]) {
    core = m[1].replace(/\.+$/, '');
    rest = raw.slice(m[0].length).replace(/^\.+/, '');
  }
  const pre = /^[-~_](rc|beta|alpha|pre|dev|M)\d*\b/i.exec(rest);
  if (pre) {
    core += pre[0];
    rest = rest.slice(pre[0].length);
  }
  const suffixText = rest.replace(/^[\s\-+~_]+/, '').trim();
  const suffix = suffixText.length > 0 ? suffixText : null;
  const { parts } = tokenize(core);
  let numericDepth = 0;
  for (const p of parts) {
    if (typeof p !== 'number') break;
    numericDepth++;
  }
  const wildcard = parts.some((p) => p === 'x') || /\bx\b/i.test(core.replace(/\./g, ' '));
  const precise = core.length > 0 && numericDepth > 0 && !wildcard && !(suffix && IMPRECISE_RE.test(suffix));
  const parsed: ParsedVersion = {
    raw,
    core,
    parts,
    suffix,
    distroPatched: suffix !== null && isDistroPatched(suffix),
    precise,
    numericDepth,
  };
  if (CACHE.size > 5000) CACHE.clear();
  CACHE.set(input, parsed);
  return parsed;
}

function partRank(core: string, index: number): { kind: 'end' | 'num' | 'pre' | 'post'; value: VersionPart } {
  const { parts, preFlags } = tokenizeCached(core);
  if (index >= parts.length) return { kind: 'end', value: 0 };
  const v = parts[index] as VersionPart;
  if (typeof v === 'number') return { kind: 'num', value: v };
  return { kind: preFlags[index] ? 'pre' : 'post', value: v };
}

const TOKEN_CACHE = new Map<string, { parts: VersionPart[]; preFlags: boolean[] }>();
function tokenizeCached(core: string): { parts: VersionPart[]; preFlags: boolean[] } {
  let t = TOKEN_CACHE.get(core);
  if (!t) {
    t = tokenize(core);
    if (TOKEN_CACHE.size > 5000) TOKEN_CACHE.clear();
    TOKEN_CACHE.set(core, t);
  }
  return t;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Compare two version strings (distribution suffixes are ignored). */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const ca = parseVersion(a).core;
  const cb = parseVersion(b).core;
  const pa = tokenizeCached(ca).parts;
  const pb = tokenizeCached(cb).parts;
  if (portableSuffixOnly(pa, pb) || portableSuffixOnly(pb, pa)) return 0;
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = partRank(ca, i);
    const y = partRank(cb, i);
    const c = compareRank(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * OpenSSH's portable releases add "p<N>" to the OpenBSD release they package: "7.7p1" IS release "7.7"
 * (NVD and advisories say "through 7.7"). So "X.Yp<N>" equals a bare "X.Y" (but "9.3p1" < "9.3p2").
 * OpenSSL's single-letter releases ("1.0.1p") have no digits after the letter and are not affected.
 */
function portableSuffixOnly(withP: VersionPart[], bare: VersionPart[]): boolean {
  const n = withP.length;
  if (n !== bare.length + 2 || withP[n - 2] !== 'p' || typeof withP[n - 1] !== 'number') return false;
  if (bare.some((x) => typeof x !== 'number')) return false;
  return bare.every((x, i) => x === withP[i]);
}

type Rank = { kind: 'end' | 'num' | 'pre' | 'post'; value: VersionPart };

/** Order at one position: pre-release < end-of-version(=0) / number < post-release letters; number > letters. */
function compareRank(x: Rank, y: Rank): -1 | 0 | 1 {
  if (x.kind === 'end' && y.kind === 'end') return 0;
  // end behaves like the number 0 against numbers
  const xNum = x.kind === 'num' || x.kind === 'end';
  const yNum = y.kind === 'num' || y.kind === 'end';
  if (xNum && yNum) {
    if (x.kind === 'end' && y.kind === 'num') return sign(0 - (y.value as number)) || 0;
    if (y.kind === 'end' && x.kind === 'num') return sign((x.value as number) - 0) || 0;
    return sign((x.value as number) - (y.value as number));
  }
  if (x.kind === 'pre' && y.kind === 'pre') {
    const d = (PRE_RELEASE[x.value as string] ?? 0) - (PRE_RELEASE[y.value as string] ?? 0);
    return sign(d);
  }
  if (x.kind === 'pre') return -1;
  if (y.kind === 'pre') return 1;
  // post letters vs end: letters come after the bare release
  if (x.kind === 'post' && y.kind === 'end') return 1;
  if (x.kind === 'end' && y.kind === 'post') return -1;
  // post letters vs a real number: the number wins ("2.4.0.1" > "2.4.0a")
  if (x.kind === 'post' && y.kind === 'num') return -1;
  if (x.kind === 'num' && y.kind === 'post') return 1;
  const xs = x.value as string;
  const ys = y.value as string;
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}

export interface VersionRange {
  /** inclusive lower bound; absent = from the beginning */
  introduced?: string;
  /** exclusive upper bound (first fixed version) */
  fixed?: string;
  /** inclusive upper bound when no fix is known */
  lastAffected?: string;
}

/** Is `version` inside the range? Callers must only pass precise versions. */
export function inRange(version: string, r: VersionRange): boolean {
  if (r.introduced !== undefined && compareVersions(version, r.introduced) < 0) return false;
  if (r.fixed !== undefined && compareVersions(version, r.fixed) >= 0) return false;
  if (r.lastAffected !== undefined && compareVersions(version, r.lastAffected) > 0) return false;
  return r.introduced !== undefined || r.fixed !== undefined || r.lastAffected !== undefined;
}
