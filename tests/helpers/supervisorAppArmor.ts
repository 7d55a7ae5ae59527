/**
 * What the Supervisor does with an add-on's apparmor.txt before loading it (supervisor/utils/apparmor.py):
 * exactly one line may match `^profile ([^ ]+).*$` (children are indented, so they do not count); on that line
 * the name is replaced by the add-on's full slug. Nothing else in the file changes.
 */
const RE_PROFILE = /^profile ([^ ]+).*$/;

export function profileName(text: string): string {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = RE_PROFILE.exec(line);
    if (m) names.add(m[1]!);
  }
  if (names.size !== 1) throw new Error(`To many profiles inside file: ${[...names].join(', ')}`);
  return [...names][0]!;
}

export function adjustProfile(text: string, slug: string): string {
  const org = profileName(text);
  return text
    .split('\n')
    .map((line) => (RE_PROFILE.test(line) ? line.split(org).join(slug) : line))
    .join('\n');
}
