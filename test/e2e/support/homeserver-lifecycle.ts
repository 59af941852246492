// Finding a homeserver to test against: one named by the environment, or the project's own
// chrooted Synapse (scripts/synapse.sh). Shared by the e2e global setup and the benches.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { finished } from '../../support/run-to-end.js';
import type { HomeserverInfo } from './homeserver.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../scripts/synapse.sh', import.meta.url));

export interface AcquiredHomeserver {
  info: HomeserverInfo;
  /** Where it came from, for log lines. */
  source: 'environment' | 'scripts/synapse.sh';
  /** True when this process started it (and release() will stop it). */
  startedHere: boolean;
  release(): Promise<void>;
}

/** E2E_HOMESERVER_URL + E2E_REGISTRATION_SECRET, when both are set. */
export function homeserverFromEnv(): HomeserverInfo | null {
  const url = process.env.E2E_HOMESERVER_URL;
  const registrationSecret = process.env.E2E_REGISTRATION_SECRET;
  return url && registrationSecret ? { url, registrationSecret } : null;
}

/** Why the local Synapse cannot run here, or null when it can (root on Debian). */
export function localSynapseUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `platform is ${process.platform}, scripts/synapse.sh needs Linux`;
  if (process.getuid?.() !== 0) return 'not running as root (debootstrap and chroot need root)';
  if (!existsSync('/etc/debian_version')) return 'not a Debian host (/etc/debian_version missing)';
  return null;
}

/** Runs scripts/synapse.sh; its progress (stderr) goes to ours, stdout is returned. */
export async function runSynapseScript(args: string[]): Promise<{ code: number; stdout: string }> {
  const run = await finished('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { code: run.code ?? 1, stdout: run.stdout };
}

async function assertReachable(url: string): Promise<void> {
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/_matrix/client/versions`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    throw new Error(`homeserver ${url} does not answer /_matrix/client/versions: ${(err as Error).message}`);
  }
}

/** The homeserver from the environment, else a started (or already running) local Synapse. */
export async function acquireHomeserver(): Promise<AcquiredHomeserver> {
  const fromEnv = homeserverFromEnv();
  if (fromEnv) {
    await assertReachable(fromEnv.url);
    return { info: fromEnv, source: 'environment', startedHere: false, release: async () => {} };
  }
  const reason = localSynapseUnavailableReason();
  if (reason) throw new Error(`cannot start the local Synapse: ${reason}`);

  const wasRunning = (await runSynapseScript(['status'])).code === 0;
  const t0 = performance.now();
  const start = await runSynapseScript(['start']);
  const url = start.stdout.trim().split('\n').pop();
  if (start.code !== 0 || !url) throw new Error(`scripts/synapse.sh start failed (exit ${start.code})`);
  if (!wasRunning)
    console.log(`[homeserver] Synapse started in ${Math.round(performance.now() - t0)} ms at ${url}`);
  await assertReachable(url);
  return {
    info: { url, registrationSecret: process.env.HS_SHARED_SECRET ?? 'ci-registration-secret' },
    source: 'scripts/synapse.sh',
    startedHere: !wasRunning,
    // Only stop what we started: a developer's long-running Synapse stays up.
    release: async () => {
      if (!wasRunning) await runSynapseScript(['stop']);
    },
  };
}
