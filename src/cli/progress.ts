/**
 * Scan progress for `lan-sentinel scan`: a redrawn bar on a TTY, plain lines otherwise (logs, pipes,
 * CI). Written to stderr so that stdout stays the command's result (`--json` stays parseable).
 */
import type { SseScanJson } from '../api/schemas.js';
import { safeLogText } from '../util/logger.js';
import { GREEN, paint, RED_BOLD } from './colour.js';
import { duration } from './format.js';

/** `scan 12 sweep [##########..........]  50%  Ping Scan  3.2s`, cut to `width`. Pure. */
export function progressBar(
  e: { scanId: number | null; kind: string; percent: number; task: string | null; elapsedMs: number },
  width: number,
): string {
  const pct = Math.max(0, Math.min(100, e.percent));
  const head = `scan ${e.scanId ?? '?'} ${e.kind} `;
  const tail = ` ${pct.toFixed(0).padStart(3)}%  ${duration(e.elapsedMs).padStart(6)}  ${safeLogText(e.task ?? '')}`;
  const barWidth = Math.max(10, Math.min(40, width - head.length - 30));
  const filled = Math.round((pct / 100) * barWidth);
  const line = `${head}[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
  return line.length > width - 1 ? line.slice(0, width - 1) : line;
}

export interface ProgressWriter {
  write(s: string): void;
  isTTY?: boolean;
  columns?: number;
}

export class ScanProgress {
  private startedAt = Date.now();
  private lastPlain = -1;
  private drawn = false;
  private current: { scanId: number | null; kind: string; percent: number; task: string | null } | null =
    null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly out: ProgressWriter,
    private readonly enabled: boolean,
    /** paint the lines that stay (finished green, failed red): only on a terminal that shows colour */
    private readonly colour = false,
  ) {
    if (enabled && out.isTTY) {
      this.timer = setInterval(() => this.redraw(), 500);
      this.timer.unref();
    }
  }

  /** the started/finished lines went to a terminal (the summary need not be repeated there) */
  get onTerminal(): boolean {
    return this.enabled && this.out.isTTY === true;
  }

  private get width(): number {
    return this.out.columns && this.out.columns >= 40 ? this.out.columns : 100;
  }

  private redraw(): void {
    if (!this.current || !this.out.isTTY) return;
    this.out.write(
      `\r\x1b[2K${progressBar({ ...this.current, elapsedMs: Date.now() - this.startedAt }, this.width)}`,
    );
    this.drawn = true;
  }

  /** A line that must stay (scan started/finished), above the bar. */
  private say(line: string): void {
    if (this.out.isTTY && this.drawn) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    this.drawn = false;
    this.redraw();
  }

  event(e: SseScanJson): void {
    if (!this.enabled) return;
    if (e.phase === 'started') {
      this.startedAt = Date.now();
      this.lastPlain = -1;
      this.current = { scanId: e.scan_id, kind: e.kind, percent: 0, task: null };
      this.say(`scan ${e.scan_id} (${e.kind}) started`);
    } else if (e.phase === 'progress') {
      this.current = { scanId: e.scan_id, kind: e.kind, percent: e.percent ?? 0, task: e.message };
      if (this.out.isTTY) this.redraw();
      else {
        const step = Math.floor((e.percent ?? 0) / 10);
        if (step > this.lastPlain) {
          this.lastPlain = step;
          this.out.write(
            `scan ${e.scan_id} (${e.kind}): ${(e.percent ?? 0).toFixed(0)}%${e.message ? ` ${safeLogText(e.message)}` : ''}\n`,
          );
        }
      }
    } else if (e.phase === 'finished') {
      this.current = null;
      this.say(
        paint(
          this.colour && this.out.isTTY === true,
          GREEN,
          `scan ${e.scan_id} (${e.kind}) finished in ${duration(Date.now() - this.startedAt)}: ${e.hosts_up ?? 0} hosts up, ${e.changes ?? 0} changes`,
        ),
      );
    } else if (e.phase === 'failed') {
      this.current = null;
      this.say(
        paint(
          this.colour && this.out.isTTY === true,
          RED_BOLD,
          `scan ${e.scan_id} (${e.kind}) failed: ${safeLogText(e.error ?? 'unknown error')}`,
        ),
      );
    }
  }

  /** Shown while waiting for the scanner (queued behind another scan). */
  waiting(message: string): void {
    if (!this.enabled) return;
    this.say(message);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.out.isTTY && this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}
