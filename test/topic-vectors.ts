/** Synthetic paper vectors for recommendation tests: one axis per topic, so same-topic papers are close. */

export const TOPIC_DIMENSIONS = 16;

/** A seeded generator of numbers in [-0.5, 0.5). */
export function seededNoise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** A unit vector near the topic's axis: same-topic papers are close, other topics far. */
export function topicVector(topic: number, next: () => number): Float32Array {
  const v = new Float32Array(TOPIC_DIMENSIONS);
  for (let i = 0; i < TOPIC_DIMENSIONS; i++) v[i] = 0.25 * next();
  v[topic] = (v[topic] ?? 0) + 1;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
