/** Chart colours from the UI's CSS tokens (canvas cannot read CSS variables itself). */
export interface ChartTheme {
  text: string;
  muted: string;
  border: string;
  surface: string;
  accent: string;
  ok: string;
  risk: { unknown: string; none: string; low: string; medium: string; high: string; critical: string };
  dark: boolean;
  /** the chart's box in CSS pixels (options that scale with it, like the map's node size) */
  width: number;
  height: number;
}

export function chartTheme(el: Element): ChartTheme {
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const style = getComputedStyle(el);
  const read = (_el: Element, name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    text: read(el, '--ls-text', dark ? '#e6ebf1' : '#1b2430'),
    muted: read(el, '--ls-muted', dark ? '#9aa7b6' : '#5b6776'),
    border: read(el, '--ls-border', dark ? '#2f3b49' : '#d5dbe1'),
    surface: read(el, '--ls-surface', dark ? '#18202a' : '#ffffff'),
    accent: read(el, '--ls-accent', dark ? '#5aa4ff' : '#0b63c5'),
    ok: read(el, '--ls-ok', dark ? '#7ddc98' : '#1e7a3c'),
    risk: {
      unknown: read(el, '--lsn-risk-unknown', dark ? '#6b7a8c' : '#9aa5b1'),
      none: read(el, '--lsn-risk-none', dark ? '#7ddc98' : '#2e9d57'),
      low: read(el, '--lsn-risk-low', '#039be5'),
      medium: read(el, '--lsn-risk-medium', '#f59e0b'),
      high: read(el, '--lsn-risk-high', '#f4511e'),
      critical: read(el, '--lsn-risk-critical', dark ? '#ff5a4e' : '#db4437'),
    },
    dark,
    width: (el as HTMLElement).clientWidth || 800,
    height: (el as HTMLElement).clientHeight || 400,
  };
}
