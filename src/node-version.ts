// The Node versions the bot runs on: package.json's engines (a unit test keeps the two equal). The entry
// modules (main.ts, check/cli.ts, evidence/cli.ts, demo/run.ts) ask before they load anything else:
// better-sqlite3's prebuilt binary does not fail on an older Node with an error, it crashes (SIGSEGV).
export const NODE_ENGINES = '>=22.12 <25';
export const RECOMMENDED_NODE_MAJOR = 24;
const MIN: readonly [number, number] = [22, 12];
const BELOW_MAJOR = 25;

/** Exit code for an unsupported Node: restarting cannot help (the systemd unit does not restart on 2). */
export const UNSUPPORTED_NODE_EXIT = 2;

/** One line saying what is needed, what runs and how to get it; null when `version` is supported. */
export function unsupportedNodeMessage(version: string = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const supported = major < BELOW_MAJOR && (major > MIN[0] || (major === MIN[0] && minor >= MIN[1]));
  if (supported) return null;
  const n = RECOMMENDED_NODE_MAJOR;
  return `Node ${NODE_ENGINES} needed (Node ${n} recommended), found v${version}; install it: npm install --prefix ~/node${n} node@${n} && export PATH=~/node${n}/node_modules/node/bin:$PATH (the npm scripts fetch it into .node/ themselves unless MEETBOT_NODE_FETCH=0)`;
}

/**
 * For an entry module: true when this Node is supported; otherwise prints the line, sets the exit code
 * and returns false (the caller then loads nothing more).
 */
export function supportedNodeOrExit(): boolean {
  const problem = unsupportedNodeMessage();
  if (problem === null) return true;
  console.error(problem);
  process.exitCode = UNSUPPORTED_NODE_EXIT;
  return false;
}
