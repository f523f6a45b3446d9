// Fractions, one rule everywhere: a percentage carries its % sign (25%), and a bare number is a
// fraction of one (0.25 is the same 25%). A bare number above 1 is refused: 25 could mean 25% or
// 2500%, so the message asks for the % sign.

/** Parses "25%", "0.25" or 0.25 into a fraction (0.25); undefined when it is not one. */
export function parseFraction(input: string | number): number | undefined {
  const s = String(input).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n / 100;
  return n <= 1 ? n : undefined;
}

/** Why `input` is not a fraction. */
export function fractionProblem(input: unknown): string {
  const s = String(input).trim();
  if (/^\d+(\.\d+)?$/.test(s) && Number(s) > 1) return `a bare number is a fraction of one (0.25 = 25%); for ${s} percent write ${s}%`;
  return 'expected a percentage such as 25% (or a fraction of one such as 0.25)';
}
