import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rules of docs/architecture.md, checked on every relative import in src/ and sim/. A rule
 * broken here is a seam in the wrong place: move the code, don't widen the rule.
 */
const root = resolve(import.meta.dirname, '../..');

const allowed: Record<string, readonly string[]> = {
  core: ['core'],
  store: ['core', 'store'],
  jobs: ['core', 'store', 'jobs'],
  http: ['core', 'http'],
  accounts: ['core', 'store', 'jobs', 'accounts'],
  calendar: ['core', 'store', 'jobs', 'calendar'],
  teams: ['core', 'store', 'jobs', 'teams'],
  mattermost: ['core', 'mattermost', 'accounts/ports', 'calendar/ports', 'teams/ports'],
  microsoft: ['core', 'microsoft', 'accounts/ports', 'calendar/ports', 'teams/ports'],
};

const edges = new Set(['mattermost', 'microsoft']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  );
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
  return [...found, ...dynamic].filter((s) => s.startsWith('.'));
}

/** `src/<part>/…` → part (and part/sub for ports files). */
function target(from: string, specifier: string): string {
  return relative(root, resolve(from, '..', specifier));
}

describe('import rules', () => {
  it('each src/ part imports only the parts it may', () => {
    const broken: string[] = [];
    for (const file of files(join(root, 'src'))) {
      const part = relative(join(root, 'src'), file).split('/')[0] as string;
      const rule = allowed[part];
      if (!rule) continue; // app.ts, main.ts, cli/: the composition root may import everything in src
      for (const spec of imports(file)) {
        const to = target(file, spec);
        if (!to.startsWith('src/')) {
          broken.push(`${relative(root, file)} imports ${to} (outside src)`);
          continue;
        }
        const inner = to.slice('src/'.length);
        // An edge may also see a domain part's own ports file (calendar/events/ports.ts): what that part
        // needs from the edge, declared once.
        const domainPorts = edges.has(part) && /^(accounts|calendar|teams)\/[a-z-]+\/ports\.ts$/.test(inner);
        if (
          !domainPorts &&
          !rule.some((ok) => inner === ok || inner.startsWith(`${ok}/`) || inner.startsWith(`${ok}.`))
        ) {
          broken.push(`${relative(root, file)} (${part}) imports ${to}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  // The `sim` command and the sandbox load the simulators lazily; nothing else in src may.
  const simLoaders = ['src/cli/commands/sim.ts', 'src/cli/sandbox.ts'];

  it('the service never imports the simulators; only the sim command and the sandbox load them', () => {
    const broken: string[] = [];
    for (const file of files(join(root, 'src'))) {
      for (const spec of imports(file)) {
        const to = target(file, spec);
        if (to.startsWith('sim/') && !simLoaders.includes(relative(root, file)))
          broken.push(`${relative(root, file)} imports ${to}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('simulators import only their own folder and sim/shared, never src/ or each other', () => {
    const broken: string[] = [];
    for (const file of files(join(root, 'sim'))) {
      const own = relative(join(root, 'sim'), file).split('/')[0] as string;
      for (const spec of imports(file)) {
        const to = target(file, spec);
        if (!(to.startsWith(`sim/${own}/`) || to.startsWith('sim/shared/')))
          broken.push(`${relative(root, file)} imports ${to}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the imports it checks (guards against a pattern that silently matches nothing)', () => {
    const app = imports(join(root, 'src/app.ts'));
    expect(app).toContain('./store/index.ts');
    expect(imports(join(root, 'src/cli/commands/sim.ts'))).toContain('../../../sim/microsoft/index.ts');
  });
});
