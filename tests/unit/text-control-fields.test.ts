import { describe, expect, it } from 'vitest';
import { alertRuleInputSchema } from '../../src/alerts/types.js';
import { scheduleCreateSchema } from '../../src/api/routes/schedules.js';
import {
  alertRuleCreateSchema,
  apiKeyCreateSchema,
  devicePatchSchema,
  webhookCreateSchema,
  webhookPatchSchema,
} from '../../src/api/schemas.js';
import { webhookInputSchema } from '../../src/store/webhooksRepo.js';
import { findControl } from '../../src/util/text.js';

describe('findControl', () => {
  it('names the first refused character and its position; multi-line text keeps \\n, \\r and \\t', () => {
    expect(findControl('plain ünïcödé 👨‍👩‍👧')).toBeNull();
    expect(findControl('a\u0000b')).toEqual({ codePoint: 'U+0000', position: 2 });
    expect(findControl('\u202eabc')).toEqual({ codePoint: 'U+202E', position: 1 });
    expect(findControl('x\u200by')).toEqual({ codePoint: 'U+200B', position: 2 });
    expect(findControl('a\u0085')).toEqual({ codePoint: 'U+0085', position: 2 });
    expect(findControl('one\ntwo')).toEqual({ codePoint: 'U+000A', position: 4 });
    expect(findControl('one\r\n\ttwo', true)).toBeNull();
    expect(findControl('one\n\u001b[2J', true)).toEqual({ codePoint: 'U+001B', position: 5 });
  });
});

describe('every user-text field at the edge refuses control characters', () => {
  const bad = 'name\u2067x';
  const cases: [
    string,
    {
      safeParse(v: unknown): {
        success: boolean;
        error?: { issues: { path: PropertyKey[]; message: string }[] };
      };
    },
    Record<string, unknown>,
    string,
  ][] = [
    ['device name', devicePatchSchema, { name: bad }, 'name'],
    ['device notes', devicePatchSchema, { notes: bad }, 'notes'],
    ['key name', apiKeyCreateSchema, { name: bad, scope: 'read' }, 'name'],
    ['webhook name', webhookCreateSchema, { name: bad, url: 'https://example.com/h' }, 'name'],
    ['webhook rename', webhookPatchSchema, { name: bad }, 'name'],
    ['webhook (store)', webhookInputSchema, { name: bad, url: 'https://example.com/h' }, 'name'],
    ['alert rule', alertRuleCreateSchema, { name: bad, events: ['new_device'], channels: ['ha'] }, 'name'],
    [
      'alert rule (store)',
      alertRuleInputSchema,
      { name: bad, types: ['new_device'], channels: ['ha'] },
      'name',
    ],
    ['schedule', scheduleCreateSchema, { name: bad, cron: '0 3 * * *', kind: 'sweep' }, 'name'],
  ];
  for (const [what, schema, value, field] of cases) {
    it(what, () => {
      const r = schema.safeParse(value);
      expect(r.success).toBe(false);
      const issue = r.error?.issues.find((i) => i.path.join('.') === field);
      expect(issue?.message).toMatch(
        /^must not contain control or invisible formatting characters \(U\+2067 at character 5\)/,
      );
    });
  }
});
