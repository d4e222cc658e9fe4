/** Prints one figure line: name, value, unit, and the sample it came from. */
export function figure(name: string, value: number, unit: string, sample: string): void {
  const shown = value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(2);
  process.stdout.write(`${name.padEnd(44)} ${shown.padStart(12)} ${unit.padEnd(10)} (${sample})\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
