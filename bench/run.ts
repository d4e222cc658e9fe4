/**
 * `npm run bench [-- name… [--option value…]]`: runs the named benchmarks (all when none is named) and prints their figures.
 * Benchmarks are not tests: they assert nothing and are not part of `npm test`; docs quote what they print.
 */
import { benchmarks } from './registry.ts';

// Names first, then options (`--users 100`), which each benchmark reads from process.argv itself.
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const wanted = firstOption === -1 ? args : args.slice(0, firstOption);
const unknown = wanted.filter((w) => !(w in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
  );
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  process.stdout.write(`\n## ${name}\n`);
  await (benchmarks[name] as () => Promise<void>)();
}
