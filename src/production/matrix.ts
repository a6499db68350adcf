/** A PDF transformation matrix [a b c d e f] (PDF 32000-1 §8.3.3). */
export type Matrix = readonly [number, number, number, number, number, number];

/** `first` then `second`: the matrix product first × second (§8.3.4). */
export function multiply(first: Matrix, second: Matrix): Matrix {
  const [a1, b1, c1, d1, e1, f1] = first;
  const [a2, b2, c2, d2, e2, f2] = second;
  return [
    a1 * a2 + b1 * c2,
    a1 * b2 + b1 * d2,
    c1 * a2 + d1 * c2,
    c1 * b2 + d1 * d2,
    e1 * a2 + f1 * c2 + e2,
    e1 * b2 + f1 * d2 + f2,
  ];
}
