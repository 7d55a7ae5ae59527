import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CARD_URL_PATH,
  cardResourceUrl,
  installCard,
  isOurResource,
  yamlSnippet,
} from '../../src/card/install.js';
import type { HaLink } from '../../src/ha/link.js';
import { connectHa } from '../../src/ha/websocket.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { FakeHaServer } from '../helpers/fakeHaServer.js';

let dir: string;
let bundlePath: string;
let wwwDir: string;
let ha: FakeHaServer;
let link: HaLink;

async function start(opts: Parameters<typeof FakeHaServer.start>[0] = {}) {
  ha = await FakeHaServer.start({ token: 't', ...opts });
  link = await connectHa({ url: ha.url, token: 't', logger: silentLogger });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsn-card-'));
  bundlePath = join(dir, 'bundle.js');
  writeFileSync(bundlePath, 'console.log("card v1");');
  wwwDir = join(dir, 'homeassistant', 'www');
});
afterEach(async () => {
  link?.close();
  await ha?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('installCard', () => {
  it('writes the bundle atomically and creates the module resource once', async () => {
    await start();
    ha.resources.push({ id: 'other', type: 'module', url: '/hacsfiles/mushroom/mushroom.js?hacstag=1' });
    const r = await installCard({ link, bundlePath, wwwDir, version: '0.1.0', logger: silentLogger });
    expect(r).toMatchObject({ resource: 'created', url: '/local/lan-sentinel/lan-sentinel-card.js?v=0.1.0' });
    expect(r.file).toEqual({ path: join(wwwDir, 'lan-sentinel', 'lan-sentinel-card.js'), written: true });
    expect(readFileSync(join(wwwDir, 'lan-sentinel', 'lan-sentinel-card.js'), 'utf8')).toBe(
      'console.log("card v1");',
    );
    expect(readdirSync(join(wwwDir, 'lan-sentinel'))).toEqual(['lan-sentinel-card.js']); // no temp files left
    expect(ha.resources).toEqual([
      { id: 'other', type: 'module', url: '/hacsfiles/mushroom/mushroom.js?hacstag=1' },
      { id: r.resourceId, type: 'module', url: '/local/lan-sentinel/lan-sentinel-card.js?v=0.1.0' },
    ]);

    // Restart with the same version: nothing to do, nothing rewritten.
    const again = await installCard({ link, bundlePath, wwwDir, version: '0.1.0', logger: silentLogger });
    expect(again).toMatchObject({
      resource: 'unchanged',
      resourceId: r.resourceId,
      file: { written: false },
    });
    expect(ha.resources).toHaveLength(2);
    expect(ha.received.filter((m) => m.type.startsWith('lovelace/resources/'))).toHaveLength(1);
  });

  it('updates the existing resource on a new version (never a duplicate)', async () => {
    await start();
    const first = await installCard({ link, bundlePath, wwwDir, version: '0.1.0', logger: silentLogger });
    writeFileSync(bundlePath, 'console.log("card v2");');
    const r = await installCard({ link, bundlePath, wwwDir, version: '0.2.0', logger: silentLogger });
    expect(r).toMatchObject({ resource: 'updated', resourceId: first.resourceId, file: { written: true } });
    expect(ha.resources).toEqual([
      { id: first.resourceId, type: 'module', url: '/local/lan-sentinel/lan-sentinel-card.js?v=0.2.0' },
    ]);
    expect(readFileSync(join(wwwDir, 'lan-sentinel', 'lan-sentinel-card.js'), 'utf8')).toContain('v2');
  });

  it('cleans up duplicates left by hand or by older versions', async () => {
    await start({
      resources: [
        { id: 'a', type: 'js', url: '/local/lan-sentinel/lan-sentinel-card.js' },
        { id: 'b', type: 'module', url: '/local/lan-sentinel/lan-sentinel-card.js?v=0.0.9' },
        { id: 'keep-me', type: 'module', url: '/local/other-card.js' },
      ],
    });
    const r = await installCard({ link, bundlePath, wwwDir, version: '0.1.0', logger: silentLogger });
    expect(r).toMatchObject({ resource: 'updated', resourceId: 'a', removedDuplicates: 1 });
    expect(ha.resources).toEqual([
      { id: 'a', type: 'module', url: '/local/lan-sentinel/lan-sentinel-card.js?v=0.1.0' },
      { id: 'keep-me', type: 'module', url: '/local/other-card.js' },
    ]);
  });

  it('in YAML resource mode logs exactly what to add and changes nothing', async () => {
    await start({ resourceMode: 'yaml' });
    const lines: string[] = [];
    const logger = createLogger('info', 'card', (l) => lines.push(l));
    const r = await installCard({ link, bundlePath, wwwDir, version: '1.2.3', logger });
    expect(r.resource).toBe('yaml_mode');
    expect(r.file?.written).toBe(true);
    const logged = lines
      .map((l) => l.replace(/^\S+ WARNING \[card\] /, ''))
      .filter((l) => !/^\S+ INFO/.test(l));
    expect(logged.slice(-4)).toEqual(
      yamlSnippet('/local/lan-sentinel/lan-sentinel-card.js?v=1.2.3').split('\n'),
    );
    expect(logged.slice(-4)).toEqual([
      'lovelace:',
      '  resources:',
      '    - url: /local/lan-sentinel/lan-sentinel-card.js?v=1.2.3',
      '      type: module',
    ]);
    expect(ha.received.some((m) => m.type.startsWith('lovelace/resources/'))).toBe(false);
    expect(ha.resources).toEqual([]);
  });

  it('in YAML mode with the current version already listed there is nothing to do', async () => {
    await start({
      resourceMode: 'yaml',
      resources: [{ id: 'y1', type: 'module', url: cardResourceUrl('1.0.0') }],
    });
    const r = await installCard({ link, bundlePath, wwwDir, version: '1.0.0', logger: silentLogger });
    expect(r).toMatchObject({ resource: 'unchanged', resourceId: 'y1' });
  });

  it('reports a missing bundle, an unwritable www dir, no HA, and a non-admin token without throwing', async () => {
    await start({ admin: false });
    const missing = await installCard({
      link,
      bundlePath: join(dir, 'nope.js'),
      wwwDir,
      version: '1',
      logger: silentLogger,
    });
    expect(missing).toMatchObject({ resource: 'failed', file: null });
    expect(missing.message).toMatch(/card bundle not found at .*nope\.js/);

    writeFileSync(join(dir, 'afile'), 'x');
    const unwritable = await installCard({
      link,
      bundlePath,
      wwwDir: join(dir, 'afile', 'www'),
      version: '1',
      logger: silentLogger,
    });
    expect(unwritable.resource).toBe('failed');
    expect(unwritable.message).toMatch(/cannot write the card to .*homeassistant_config/);

    const noHa = await installCard({ link: null, bundlePath, wwwDir, version: '1', logger: silentLogger });
    expect(noHa).toMatchObject({ resource: 'no_ha', file: { written: true } });

    const denied = await installCard({ link, bundlePath, wwwDir, version: '1', logger: silentLogger });
    expect(denied.resource).toBe('failed');
    expect(denied.message).toMatch(/unauthorized.*Settings → Dashboards → Resources/);
  });

  it('the restart notification shows a www path with Markdown in it literally (one code span)', async () => {
    await start();
    const odd = join(dir, 'a`b`` **x** [l](http://e)', 'www');
    const r = await installCard({ link, bundlePath, wwwDir: odd, version: '1', logger: silentLogger });
    expect(r.restartNotified).toBe(true);
    const note = ha.calls.find((c) => c.domain === 'persistent_notification' && c.service === 'create');
    const message = String(note?.service_data.message);
    // the fence is longer than any backtick run of the path, so CommonMark reads exactly the path back
    expect(message).toContain(`created the folder \`\`\`${odd}\`\`\` for its dashboard card`);
  });

  it('recognises our resource URL in any form', () => {
    expect(isOurResource(CARD_URL_PATH)).toBe(true);
    expect(isOurResource(`${CARD_URL_PATH}?v=9&x=1`)).toBe(true);
    expect(isOurResource(`http://ha.local:8123${CARD_URL_PATH}?v=1`)).toBe(true);
    expect(isOurResource('/local/lan-sentinel/other.js')).toBe(false);
    expect(isOurResource('/local/lan-sentinel-card.js')).toBe(false);
    expect(cardResourceUrl('1.0.0 beta&x')).toBe(
      '/local/lan-sentinel/lan-sentinel-card.js?v=1.0.0%20beta%26x',
    );
  });
});
