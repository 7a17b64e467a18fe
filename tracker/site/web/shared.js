// Small helpers that both the search worker (ranking.js) and the For-you page (foryou-rank.js) compute with. They
// live apart from ranking.js so that the For-you bundle does not pull in the search's stemmer.

/** int8 rows times one scale per row (compact.dequantise), as float32. */
export function dequantise(codes, scales, width) {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = Math.fround(codes[i] * scales[Math.floor(i / width)]);
  return out;
}

/** Python's str ordering (by code point), not UTF-16 units. */
export function compareStrings(a, b) {
  const x = Array.from(a), y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d) return d;
  }
  return x.length - y.length;
}
