// Test users on a real homeserver, over the raw client-server API with fetch: the harness must not
// share code (or bugs) with the bot's matrix-bot-sdk adapter it is testing.
import { createHmac, randomBytes } from 'node:crypto';
import type { EventPredicate, MatrixEvent } from './events.js';
import { SyncTracker, type WaitOptions } from './sync.js';

export * from './events.js';
export type { PendingInvite, WaitOptions } from './sync.js';

/** What the e2e global setup hands to the tests (serialisable: it crosses into the workers). */
export interface HomeserverInfo {
  /** Base URL, e.g. http://127.0.0.1:8008 */
  url: string;
  /** registration_shared_secret, for the shared-secret admin registration API. */
  registrationSecret: string;
}

async function call(
  baseUrl: string,
  accessToken: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<unknown> {
  const res = await fetch(baseUrl.replace(/\/$/, '') + path, {
    method,
    headers: {
      ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  // The body names the errcode, when there is one.
  if (!res.ok) throw new Error(`${method} ${path.split('?')[0]} -> HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

/** A password login, as a client does it: a new device, with its access token. */
export async function passwordLogin(
  homeserverUrl: string,
  user: string,
  password: string,
  deviceName?: string,
) {
  return (await call(homeserverUrl, undefined, 'POST', '/_matrix/client/v3/login', {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user },
    password,
    ...(deviceName ? { initial_device_display_name: deviceName } : {}),
  })) as { user_id: string; access_token: string; device_id: string };
}

// Unique per process and run, so reruns against a long-lived homeserver never collide.
const RUN_ID = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
let userCounter = 0;

export interface RegisterOptions {
  admin?: boolean;
  /** Defaults to the localpart prefix. */
  displayName?: string;
}

export class TestHomeserver {
  readonly url: string;
  private readonly registrationSecret: string;

  constructor(info: HomeserverInfo) {
    this.url = info.url.replace(/\/$/, '');
    this.registrationSecret = info.registrationSecret;
  }

  /** Registers `<prefix>-<run>-<n>` via the shared-secret admin API and returns it logged in. */
  async registerUser(localpartPrefix: string, opts: RegisterOptions = {}): Promise<TestUser> {
    if (!/^[a-z0-9._=/-]+$/.test(localpartPrefix))
      throw new Error(`invalid localpart prefix: ${localpartPrefix}`);
    userCounter += 1;
    const username = `${localpartPrefix}-${RUN_ID}-${userCounter}`;
    const password = randomBytes(12).toString('hex');
    const displayName = opts.displayName ?? localpartPrefix;
    const path = '/_synapse/admin/v1/register';
    const { nonce } = (await call(this.url, undefined, 'GET', path)) as { nonce: string };
    const mac = createHmac('sha1', this.registrationSecret)
      .update(`${nonce}\0${username}\0${password}\0${opts.admin ? 'admin' : 'notadmin'}`)
      .digest('hex');
    const res = (await call(this.url, undefined, 'POST', path, {
      nonce,
      username,
      password,
      displayname: displayName,
      admin: opts.admin ?? false,
      mac,
    })) as { user_id: string; access_token: string; device_id: string };
    return new TestUser(this.url, res.user_id, res.access_token, displayName, password);
  }
}

export interface CreateRoomOptions {
  invite?: string[];
  name?: string;
  /** Adds m.room.encryption at creation (the bot must refuse such rooms). */
  encrypted?: boolean;
  /** Marks the invites as a direct message. */
  isDirect?: boolean;
  preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat';
  /** e.g. "12": room IDs without a server part, creators outside the power-level map. */
  roomVersion?: string;
}

const enc = encodeURIComponent;
let txnCounter = 0;
const txnId = () => `t${RUN_ID}.${++txnCounter}`;

export class TestUser {
  /** Per-user /sync state: since token, events and invites seen. */
  readonly sync: SyncTracker;

  constructor(
    readonly homeserverUrl: string,
    readonly userId: string,
    readonly accessToken: string,
    public displayName: string,
    readonly password: string,
  ) {
    this.sync = new SyncTracker(userId, (m, p, b, t) => this.request(m, p, b, t));
  }

  /** The server part of the user ID (e.g. "localhost"). */
  get serverName(): string {
    return this.userId.slice(this.userId.indexOf(':') + 1);
  }

  request(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    return call(this.homeserverUrl, this.accessToken, method, path, body, timeoutMs);
  }

  async createRoom(opts: CreateRoomOptions = {}): Promise<string> {
    const initialState = opts.encrypted
      ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }]
      : [];
    const res = (await this.request('POST', '/_matrix/client/v3/createRoom', {
      preset: opts.preset ?? 'private_chat',
      ...(opts.name ? { name: opts.name } : {}),
      ...(opts.roomVersion ? { room_version: opts.roomVersion } : {}),
      invite: opts.invite ?? [],
      is_direct: opts.isDirect ?? false,
      initial_state: initialState,
    })) as { room_id: string };
    return res.room_id;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.request('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: userId });
  }

  async join(roomIdOrAlias: string): Promise<string> {
    const res = (await this.request('POST', `/_matrix/client/v3/join/${enc(roomIdOrAlias)}`, {})) as {
      room_id: string;
    };
    return res.room_id;
  }

  async leave(roomId: string): Promise<void> {
    await this.request('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
  }

  /** Any room event; returns its event ID. */
  async sendEvent(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId())}`;
    const res = (await this.request('PUT', path, content)) as { event_id: string };
    return res.event_id;
  }

  sendText(roomId: string, body: string): Promise<string> {
    return this.sendEvent(roomId, 'm.room.message', { msgtype: 'm.text', body });
  }

  react(roomId: string, eventId: string, key: string): Promise<string> {
    return this.sendEvent(roomId, 'm.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key },
    });
  }

  async redact(roomId: string, eventId: string, reason?: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/${enc(txnId())}`;
    const res = (await this.request('PUT', path, reason ? { reason } : {})) as { event_id: string };
    return res.event_id;
  }

  async setDisplayName(name: string): Promise<void> {
    await this.request('PUT', `/_matrix/client/v3/profile/${enc(this.userId)}/displayname`, {
      displayname: name,
    });
    this.displayName = name;
  }

  async getJoinedRooms(): Promise<string[]> {
    const res = (await this.request('GET', '/_matrix/client/v3/joined_rooms')) as { joined_rooms: string[] };
    return res.joined_rooms;
  }
}

/**
 * Resolves with the first event in `roomId` matching `predicate` that `user` has seen or sees
 * via /sync before the timeout; otherwise rejects listing the events it did see.
 */
export function waitForEvent(
  user: TestUser,
  roomId: string,
  predicate: EventPredicate,
  opts?: WaitOptions,
): Promise<MatrixEvent> {
  return user.sync.waitForEvent(roomId, predicate, opts);
}

/** Waits for the next invite, joins it and returns the room ID. */
export async function acceptNextInvite(
  user: TestUser,
  opts?: { from?: string; timeoutMs?: number },
): Promise<string> {
  const invite = await user.sync.waitForInvite(opts);
  return user.join(invite.roomId);
}
