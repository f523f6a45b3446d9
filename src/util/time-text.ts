// A scenario time in a message, as a person writes it: 10s, 2.5s, 250ms.
export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'the end';
  if (Math.abs(ms) < 1000 && ms !== 0) return `${+ms.toFixed(3)}ms`;
  return `${+(ms / 1000).toFixed(3)}s`;
}
