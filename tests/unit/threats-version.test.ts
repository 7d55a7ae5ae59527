import { describe, expect, it } from 'vitest';
import { compareVersions, inRange, isDistroPatched, parseVersion } from '../../src/threats/version.js';

// [a, b, expected compareVersions(a, b)]
const TABLE: [string, string, -1 | 0 | 1][] = [
  ['7.2p2', '7.7', -1],
  ['7.7', '7.7', 0],
  ['7.7p1', '7.7', 0],
  ['1.0.1p', '1.0.1', 1],
  ['7.3p1', '7.3', 0],
  ['7.2p2', '7.3', -1],
  ['7.8p1', '7.7', 1],
  ['8.5p1', '9.8p1', -1],
  ['9.7p1', '9.8p1', -1],
  ['9.8p1', '9.8p1', 0],
  ['9.3p1', '9.3p2', -1],
  ['9.3p2', '9.3p1', 1],
  ['4.3p2', '4.4p1', -1],
  ['10.0p1', '9.9p2', 1],
  ['8.9p1 Ubuntu-3ubuntu0.1', '8.9p1', 0],
  ['7.4p1 Debian 10+deb9u7', '7.4p1', 0],
  ['2.4.49', '2.4.50', -1],
  ['2.4.50', '2.4.49', 1],
  ['2.4.49', '2.4.49', 0],
  ['2.4.9', '2.4.49', -1],
  ['2.4.100', '2.4.99', 1],
  ['2.2.34', '2.4.0', -1],
  ['1.4.59', '1.4.6', 1],
  ['1.4.59', '1.4.59', 0],
  ['2.3.4', '2.3.5', -1],
  ['2.3.4', '2.3.4', 0],
  ['3.0.3', '2.3.4', 1],
  ['2019.78', '2020.79', -1],
  ['2022.83', '2022.82', 1],
  ['2016.74', '2016.74', 0],
  ['0.52', '2012.55', -1],
  ['1.1.1k', '1.1.1l', -1],
  ['1.1.1', '1.1.1a', -1],
  ['1.0.1f', '1.0.1g', -1],
  ['1.0.2z', '1.0.2za', -1],
  ['1.0.2zd', '1.0.2za', 1],
  ['1.0.2zg', '1.1.1', -1],
  ['4.6.4-Debian', '4.6.4', 0],
  ['4.6.3', '4.6.4-Debian', -1],
  ['5.7.36-0ubuntu0', '5.7.36', 0],
  ['5.7.36-0ubuntu0.18.04.1', '5.7.37', -1],
  ['1.3.5rc3', '1.3.5', -1],
  ['1.3.5', '1.3.5a', -1],
  ['1.3.5a', '1.3.5e', -1],
  ['1.3.2rc3', '1.3.2rc4', -1],
  ['1.3.2rc3', '1.3.2', -1],
  ['2.4.0-beta', '2.4.0', -1],
  ['2.4.0-alpha', '2.4.0-beta', -1],
  ['2.4.0-beta2', '2.4.0-rc1', -1],
  ['8.0.0-beta1', '8.0.0', -1],
  ['8.0.0-beta1', '7.5.11', 1],
  ['10', '10.0', 0],
  ['10.3', '10.0', 1],
  ['9.6.8', '10.3', -1],
  ['0.94.14rc21', '0.94.14', -1],
  ['9.0.0.M1', '9.0.0', -1],
  ['1.25.3', '1.25.2', 1],
];

describe('compareVersions', () => {
  it(`has a table of at least 40 comparisons (${TABLE.length})`, () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });
  it.each(TABLE)('%s vs %s → %i', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    // antisymmetric
    expect(compareVersions(b, a)).toBe(-want === 0 ? 0 : -want);
  });
});

describe('parseVersion', () => {
  it('splits the distribution suffix off and reports it', () => {
    const v = parseVersion('8.9p1 Ubuntu-3ubuntu0.1');
    expect(v.core).toBe('8.9p1');
    expect(v.suffix).toBe('Ubuntu-3ubuntu0.1');
    expect(v.distroPatched).toBe(true);
    expect(v.precise).toBe(true);
    expect(parseVersion('4.6.4-Debian')).toMatchObject({
      core: '4.6.4',
      suffix: 'Debian',
      distroPatched: true,
    });
    expect(parseVersion('5.7.36-0ubuntu0')).toMatchObject({ core: '5.7.36', distroPatched: true });
    expect(parseVersion('1.0.2k-fips')).toMatchObject({
      core: '1.0.2k',
      suffix: 'fips',
      distroPatched: false,
    });
    expect(parseVersion('2.4.49')).toMatchObject({
      core: '2.4.49',
      suffix: null,
      distroPatched: false,
      numericDepth: 3,
    });
    expect(parseVersion('7.2p2')).toMatchObject({ numericDepth: 2, parts: [7, 2, 'p', 2] });
  });
  it('keeps pre-release tails in the core', () => {
    expect(parseVersion('1.0.0-rc1').core).toBe('1.0.0-rc1');
    expect(parseVersion('2.4.0-beta').core).toBe('2.4.0-beta');
  });
  it('marks wildcards, ranges and "or later" as imprecise', () => {
    expect(parseVersion('3.X - 4.X').precise).toBe(false);
    expect(parseVersion('9.6.0 or later').precise).toBe(false);
    expect(parseVersion('2.4.x').precise).toBe(false);
    expect(parseVersion('unknown').precise).toBe(false);
    expect(parseVersion('').precise).toBe(false);
  });
});

describe('isDistroPatched', () => {
  it.each([
    ['8.9p1 Ubuntu-3ubuntu0.1', true],
    ['7.4p1 Debian 10+deb9u7', true],
    ['2.4.6-el7', true],
    ['1.1.1k-fips.el8', true],
    ['9.2p1 Raspbian-2+deb12u3', true],
    ['5.7.36-0ubuntu0.18.04.1', true],
    ['2.4.41 (Ubuntu)', true],
    ['2.4.49', false],
    ['1.0.2k-fips', false],
    ['2019.78', false],
  ])('%s → %s', (v, want) => {
    expect(isDistroPatched(v)).toBe(want);
  });
});

describe('inRange', () => {
  it('honours introduced (inclusive), fixed (exclusive) and lastAffected (inclusive)', () => {
    const r = { introduced: '8.5p1', fixed: '9.8p1' };
    expect(inRange('8.5p1', r)).toBe(true);
    expect(inRange('9.7p1', r)).toBe(true);
    expect(inRange('9.8p1', r)).toBe(false);
    expect(inRange('8.4p1', r)).toBe(false);
    expect(inRange('7.7', { lastAffected: '7.7' })).toBe(true);
    expect(inRange('7.7p1', { lastAffected: '7.7' })).toBe(true);
    expect(inRange('7.8p1', { lastAffected: '7.7' })).toBe(false);
    expect(inRange('7.3p1', { fixed: '7.3' })).toBe(false);
    expect(inRange('2.3.4', { introduced: '2.3.4', lastAffected: '2.3.4' })).toBe(true);
    expect(inRange('2.3.5', { introduced: '2.3.4', lastAffected: '2.3.4' })).toBe(false);
    expect(inRange('1.0', {})).toBe(false);
  });
});
