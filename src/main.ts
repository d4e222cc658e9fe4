import { buildProgram } from './cli/program.ts';

/** Entry point of `mm365` and `npm start`: parses arguments, nothing else. */
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `mm365 needs Node.js 24 (this is ${process.version}). Run it through npm (npm start, npm run mm365 -- …), which uses the Node.js 24 that npm ci installs.\n`,
  );
  process.exit(1);
}
await buildProgram().parseAsync(process.argv);
