/**
 * `npm run bench [-- name…]`: runs the named benchmarks (all when none is named) and prints their figures.
 * Benchmarks are not tests: they assert nothing and are not part of `npm test`; docs quote what they print.
 */
import { benchmarks } from './registry.ts';

const wanted = process.argv.slice(2);
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
