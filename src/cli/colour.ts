/**
 * Colour in the CLI's human output: when it is on (a terminal, NO_COLOR / FORCE_COLOR, `--no-color`) and what
 * each level, state and status is painted with. Pure.
 */

/** The environment variables colour detection reads (https://no-color.org, FORCE_COLOR as Node and npm use it). */
export interface ColourEnv {
  NO_COLOR?: string | undefined;
  FORCE_COLOR?: string | undefined;
  TERM?: string | undefined;
}

/**
 * Colour on for `stream`: `--no-color` or a non-empty NO_COLOR turn it off; FORCE_COLOR turns it on ("0" or
 * "false" off) even into a pipe; otherwise on exactly when the stream is a terminal whose TERM is not "dumb".
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: ColourEnv, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.trim().toLowerCase());
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** SGR parameters ("1;31"): what `paint` wraps text in. */
export type Sgr = string;

export const BOLD: Sgr = '1';
export const DIM: Sgr = '2';
export const RED_BOLD: Sgr = '1;31';
const RED: Sgr = '31';
export const GREEN: Sgr = '32';
const YELLOW: Sgr = '33';
const CYAN: Sgr = '36';

/** `s` in the style `sgr`, reset after; unchanged when colour is off or there is no style. */
export function paint(on: boolean, sgr: Sgr | null | undefined, s: string): string {
  return on && sgr && s ? `\x1b[${sgr}m${s}\x1b[0m` : s;
}

/** A finding severity or device risk level ("critical KEV", "high", "none", "unknown"). */
export function levelStyle(text: string): Sgr | null {
  const level = text.split(' ')[0];
  switch (level) {
    case 'critical':
      return RED_BOLD;
    case 'high':
      return RED;
    case 'medium':
      return YELLOW;
    case 'low':
      return CYAN;
    case 'none':
      return GREEN;
    case 'info':
    case 'unknown':
      return DIM;
    default:
      return null;
  }
}

/** A device's presence (home / not_home). */
export function presenceStyle(text: string): Sgr | null {
  return text === 'home' ? GREEN : text === 'not_home' ? DIM : null;
}

/** A scan's status (queued / running / finished / failed). */
export function scanStatusStyle(text: string): Sgr | null {
  if (text === 'finished') return GREEN;
  if (text === 'failed') return RED_BOLD;
  if (text === 'running' || text === 'queued') return YELLOW;
  return null;
}
