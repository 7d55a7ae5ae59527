/**
 * zod refinement for text a user types (names, labels, notes, reasons): control characters (NUL, ESC, …) and
 * invisible formatting characters (bidi overrides, zero-width space, BOM) are refused with a message naming the
 * character, where it is and what is allowed; the API turns it into a 400 naming the field (`body.name`).
 */
import type { z } from 'zod';
import { findControl } from './text.js';

const ALLOWED_LINE = 'letters, digits, spaces, punctuation and emoji are allowed';
const ALLOWED_MULTI = 'letters, digits, spaces, punctuation, emoji, newlines and tabs are allowed';

/** `schema` that also refuses control and invisible formatting characters (`multiline` allows \n, \r, \t). */
export function withoutControl<T extends z.ZodString>(schema: T, multiline = false): T {
  return schema.superRefine((value, ctx) => {
    const found = findControl(value, multiline);
    if (!found) return;
    ctx.addIssue({
      code: 'custom',
      message: `must not contain control or invisible formatting characters (${found.codePoint} at character ${found.position}); ${multiline ? ALLOWED_MULTI : ALLOWED_LINE}`,
    });
  }) as T;
}
