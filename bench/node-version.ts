// Imported first by every bench: on Node 20 (which some machines still have first in PATH) better-sqlite3 13
// and the crypto engine crash the process with SIGSEGV part-way through, after minutes of seeding. Say so
// before anything starts instead.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `The benchmarks need Node 22 or 24 (package.json "engines"); this is Node ${process.version}. ` +
      'Put a newer node first in PATH (.ci/run installs Node 24 from the npm registry; see the README).',
  );
  process.exit(2);
}
