/**
 * BBB SIMULATOR: a model of bbb-web's observable HTTP behaviour, written from shared/reference/bbb-api.md
 * (§1 basics and version probe, §2 checksums, §3 calls and messageKeys, §4 lifecycle and recording semantics,
 * §5.1 recording-ready callback, §5.2 end callback). It is NOT a real BigBlueButton: no media, no client,
 * no akka-apps; "joining" means calling the join URL, and "everyone left" is {@link BbbSimulator.endMeeting}.
 *
 * Used by integration tests (in process), e2e tests (the bot in another process talks to it over HTTP), the
 * demo, and operators trying a config without a BBB server (`npm run bbb-simulator`, ./cli.ts; it lives in src/
 * so that a release, which has no test/, can start it too). Deliberate simplifications, each visible to a
 * client only as timing:
 * - `end` ends the meeting before answering (real BBB does it asynchronously, §3.6);
 * - processing goes processing → published after `processingDelayMs` (no visible `processed` step);
 * - one playback format (presentation) per recording, so one recording-ready POST per recording (§5.1).
 *
 * By default it answers as BBB 3.0 (the API root's `<bbbVersion>`, the pagination block, `sendChatMessage`);
 * `flavour` makes it answer as BBB 2.7 or 2.5, or as the load balancers Scalelite and b3lb (./flavours.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FLAVOURS, type SimFlavour } from './flavours.js';
import {
  type ModelOptions,
  type SimAnswer,
  type SimCallback,
  type SimJoin,
  SimModel,
  type SimRecording,
  type SimRecordingState,
  type SimRole,
  type SimSession,
} from './model.js';
import { el, responseXml, type SimChecksumAlgorithm, signJwt } from './protocol.js';

export type {
  SimCallback,
  SimChecksumAlgorithm,
  SimFlavour,
  SimJoin,
  SimRecording,
  SimRecordingState,
  SimRole,
  SimSession,
};

export interface BbbSimulatorOptions {
  secret: string;
  /** Algorithms accepted (bbb-web `supportedChecksumAlgorithms`); default all four (reference §2.2). */
  algorithms?: SimChecksumAlgorithm[];
  /** Time from session end to published recording. Default 100. */
  processingDelayMs?: number;
  /** Default 0 = random free port. */
  port?: number;
  /** Recording-ready JWT algorithm: HS256 like BBB, HS512 like Scalelite without SHA256 (reference §5.1). */
  jwtAlgorithm?: 'HS256' | 'HS512';
  /** Injectable clock (epoch ms) for createTime, expiry, startTime/endTime and processing deadlines. */
  now?: () => number;
  /** What it answers as: BBB 3.0 (default), 2.7 or 2.5, or the load balancers Scalelite and b3lb. */
  flavour?: SimFlavour;
}

export interface SimFaults {
  /** Delay every API answer (version and join included) by this many ms, or only of `slowCalls`. */
  slowMs?: number;
  /** Only these calls are slowed (e.g. ['end']): with a short client timeout, a timeout of just that call. */
  slowCalls?: string[];
  /** Answer HTTP 500 (HTML body, as a crashed proxy/Tomcat would) for every call, or only the named calls. */
  http500?: boolean | string[];
  /** Stop answering 500 after this many 500 answers (default: until cleared). */
  http500Times?: number;
  /** Accept TCP connections and destroy them at once (also on kept-alive sockets): a refused/reset connection. */
  refuseConnections?: boolean;
  /**
   * deleteRecordings answers SUCCESS `<deleted>true</deleted>` but deletes nothing. This is the realistic
   * failure: bbb-web logs a failed move of the playback directory and still reports success, so only a
   * later listing shows that the recording is still there.
   */
  dropDeletes?: boolean;
}

export type SimJoinOutcome =
  | { ok: true; status: number; location?: string; sessionToken?: string }
  | { ok: false; status: number; messageKey: string; location?: string };

export interface BbbSimulator {
  /** e.g. `http://127.0.0.1:PORT/bigbluebutton/` */
  url: string;
  /** Shared secret, for tests that sign by hand. */
  secret: string;
  close(): Promise<void>;
  /** Every session ever created (snapshots). */
  sessions(): SimSession[];
  /** Recordings; soft-deleted ones only with `includeDeleted` (snapshots). */
  recordings(opts?: { includeDeleted?: boolean }): SimRecording[];
  /** Every HTTP request that reached the API, in order (refused connections never arrive). */
  requests(): { call: string; at: number }[];
  resetRequests(): void;
  /** Callbacks the simulator sent (recording-ready POSTs, end-callback GETs), with the receiver's status. */
  callbacks(): SimCallback[];
  /** GETs a join URL over HTTP like a browser (redirects not followed) and reports the outcome. */
  simulateJoin(joinUrl: string): Promise<SimJoinOutcome>;
  /** Ends the live session of `meetingID` as if everyone left (not forcibly). No-op when none is live. */
  endMeeting(meetingID: string): void;
  /** The moderator's record/pause button; honoured only with record + allowStartStopRecording. Returns the state. */
  toggleRecording(meetingID: string): boolean;
  /** Pre-existing recordings with chosen fields (defaults: published, 1 h ago, one presentation format). */
  seedRecordings(list: Partial<SimRecording>[]): SimRecording[];
  /** Completes all pending processing now, and waits until every callback was delivered or failed. */
  finishProcessing(): Promise<void>;
  faults: { set(f: SimFaults): void; clear(): void };
}

const ALL_ALGORITHMS: SimChecksumAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const API_PREFIX = '/bigbluebutton/api';

export async function startBbbSimulator(opts: BbbSimulatorOptions): Promise<BbbSimulator> {
  const now = opts.now ?? Date.now;
  const processingDelayMs = opts.processingDelayMs ?? 100;
  const jwtAlgorithm = opts.jwtAlgorithm ?? 'HS256';
  const profile = FLAVOURS[opts.flavour ?? 'bbb-3.0'];
  let origin = '';
  let faults: SimFaults = {};
  let http500Served = 0;
  const requestLog: { call: string; at: number }[] = [];
  const callbackLog: SimCallback[] = [];
  const pending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const deliver = (entry: SimCallback, init: RequestInit) => {
    callbackLog.push(entry);
    track(
      (async () => {
        try {
          // One attempt, redirects not followed: as the BBB post-publish script and Scalelite do (§5.1).
          const res = await fetch(entry.url, {
            ...init,
            redirect: 'manual',
            signal: AbortSignal.timeout(5000),
          });
          entry.status = res.status;
          await res.body?.cancel();
        } catch (err) {
          entry.error =
            err instanceof Error
              ? err.cause instanceof Error
                ? err.cause.message
                : err.message
              : String(err);
        }
      })(),
    );
  };

  const modelOptions: ModelOptions = {
    secret: opts.secret,
    algorithms: new Set(opts.algorithms ?? ALL_ALGORITHMS),
    processingDelayMs,
    now,
    origin: () => origin,
    dropDeletes: () => faults.dropDeletes === true,
    profile,
    onEnded: (session, rec) => {
      const endUrl = session.metadata.endcallbackurl;
      if (endUrl) {
        // GET with recordingmarks appended, unsigned (reference §5.2).
        const marks = session.record && session.marks.length > 0;
        const url = `${endUrl}${endUrl.includes('?') ? '&' : '?'}recordingmarks=${marks}`;
        deliver({ kind: 'end', url, meetingID: session.meetingID }, { method: 'GET' });
      }
      if (rec) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          model.completeProcessing(rec);
        }, processingDelayMs);
        timers.add(timer);
      }
    },
    onPublished: (rec) => {
      const url = model.readyUrl(rec);
      if (!url) return;
      const token = signJwt(
        { meeting_id: rec.meetingID, record_id: rec.recordID },
        opts.secret,
        jwtAlgorithm,
      );
      deliver(
        { kind: 'recording-ready', url, recordID: rec.recordID, meetingID: rec.meetingID },
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `signed_parameters=${encodeURIComponent(token)}`,
        },
      );
    },
  };
  const model = new SimModel(modelOptions);

  const send = (res: ServerResponse, answer: SimAnswer) => {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const versionAnswer = (): SimAnswer => ({
    status: 200,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: responseXml('SUCCESS', [
      el('version', '2.0'),
      ...(profile.bbbVersion
        ? [el('apiVersion', '2.0'), el('bbbVersion', profile.bbbVersion)]
        : [el('build', profile.build)]),
      ...(profile.graphql
        ? [
            el('graphqlWebsocketUrl', `${origin.replace(/^http/, 'ws')}/graphql`),
            el('graphqlApiUrl', `${origin}/api/rest`),
          ]
        : []),
    ]),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (faults.refuseConnections) {
      req.socket.destroy();
      return;
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);

    if (!path.startsWith(API_PREFIX)) {
      // Harmless landing pages for join redirects, playback links and failed-join redirects.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>BBB simulator</title><p>BBB simulator: nothing to see here.</p>');
      return;
    }
    const rest = path.slice(API_PREFIX.length).replace(/^\/+/, '').replace(/\/+$/, '');
    const call = rest === '' ? 'version' : rest;
    requestLog.push({ call, at: now() });

    if (faults.slowMs && (!faults.slowCalls || faults.slowCalls.includes(call))) {
      await new Promise((r) => setTimeout(r, faults.slowMs));
    }
    const fail500 =
      faults.http500 === true || (Array.isArray(faults.http500) && faults.http500.includes(call));
    if (fail500 && (faults.http500Times === undefined || http500Served < faults.http500Times)) {
      http500Served += 1;
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body><h1>HTTP Status 500 – Internal Server Error</h1></body></html>');
      return;
    }
    if (call === 'version') {
      send(res, versionAnswer()); // no checksum (reference §1)
      return;
    }
    // join is GET only in 3.0; the others we simulate accept GET (POST bodies are not modelled).
    if (req.method !== 'GET' && !(req.method === 'POST' && call !== 'join')) {
      res.writeHead(405).end();
      return;
    }
    const answer = model.handle(call, rawQuery);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not Found</body></html>');
      return;
    }
    send(res, answer);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('bbb simulator: internal error', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (socket) => {
    if (faults.refuseConnections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const snapshot = <T>(v: T): T => structuredClone(v);

  return {
    url: `${origin}/bigbluebutton/`,
    secret: opts.secret,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...pending]);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    sessions: () => snapshot(model.sessionList),
    recordings(o = {}) {
      model.tick();
      return snapshot(model.recordingList.filter((r) => o.includeDeleted || r.state !== 'deleted'));
    },
    requests: () => requestLog.slice(),
    resetRequests() {
      requestLog.length = 0;
    },
    callbacks: () => snapshot(callbackLog),
    async simulateJoin(joinUrl) {
      const res = await fetch(joinUrl, { redirect: 'manual' });
      const body = await res.text();
      const location = res.headers.get('location') ?? undefined;
      if (res.status === 302 && location) {
        const target = new URL(location);
        const errors = target.searchParams.get('errors');
        if (errors) {
          const [first] = JSON.parse(errors) as { key: string }[];
          return { ok: false, status: 302, messageKey: first?.key ?? 'unknown', location };
        }
        const sessionToken = target.searchParams.get('sessionToken') ?? undefined;
        return sessionToken
          ? { ok: true, status: 302, location, sessionToken }
          : { ok: true, status: 302, location };
      }
      const key = /<messageKey>([^<]*)<\/messageKey>/.exec(body)?.[1] ?? `http${res.status}`;
      return /<returncode>SUCCESS<\/returncode>/.test(body)
        ? { ok: true, status: res.status }
        : { ok: false, status: res.status, messageKey: key };
    },
    endMeeting(meetingID) {
      model.tick();
      const s = model.liveSession(meetingID);
      if (s) model.endSession(s, false);
    },
    toggleRecording: (meetingID) => model.toggleRecording(meetingID),
    seedRecordings: (list) => list.map((p) => snapshot(model.seed(p))),
    async finishProcessing() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of model.recordingList) model.completeProcessing(r);
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    faults: {
      set(f) {
        faults = { ...faults, ...f };
        if (f.http500 !== undefined || f.http500Times !== undefined) http500Served = 0;
      },
      clear() {
        faults = {};
        http500Served = 0;
      },
    },
  };
}
