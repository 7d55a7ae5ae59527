/**
 * MQTT topic rules of the protocol itself (MQTT 3.1.1 §4.7), independent of Home Assistant. Pure.
 * The HA topic layout (discovery prefix, device ids) lives in `ha/topics.ts`.
 */

/** Why a topic cannot be published to, or null when it can (MQTT 3.1.1 §4.7, HA util.valid_publish_topic). */
export function publishTopicProblem(topic: string): string | null {
  if (typeof topic !== 'string' || topic.length === 0) return 'topic is empty';
  if (Buffer.byteLength(topic, 'utf8') > 65535) return 'topic is longer than 65535 bytes';
  if (topic.includes('+') || topic.includes('#')) return 'topic contains a wildcard ("+" or "#")';
  if (topic.includes('\u0000')) return 'topic contains NUL';
  if (topic.split('/').some((l) => l === ''))
    return 'topic has an empty level ("//", leading or trailing "/")';
  return null;
}

/** Throws when `topic` is not a valid publish topic. */
export function assertPublishTopic(topic: string): void {
  const p = publishTopicProblem(topic);
  if (p) throw new Error(`mqtt: refusing to publish to "${String(topic).slice(0, 120)}": ${p}`);
}

/** MQTT topic-filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const fl = f[i];
    if (fl === '#') return true;
    if (i >= t.length) return false;
    if (fl !== '+' && fl !== t[i]) return false;
  }
  return f.length === t.length;
}
