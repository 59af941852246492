// An in-process stand-in for the homeserver's end-to-end encryption endpoints (/keys/upload,
// /keys/query, /keys/claim, /sendToDevice) and the to-device/device-list parts of /sync, enough for
// crypto engines to exchange Olm and Megolm keys. Each client drives its machine like matrix-bot-sdk's
// RustEngine does: send every outgoing request, mark it sent with the server's answer.
import { DeviceLists, EncryptionSettings, type OlmMachine, RequestType, RoomId, UserId } from '../index.js';

type Json = Record<string, unknown>;
interface ToDeviceEvent {
  type: string;
  sender: string;
  content: unknown;
}

export class FakeKeysServer {
  private readonly deviceKeys = new Map<string, Map<string, Json>>();
  private readonly oneTimeKeys = new Map<string, Map<string, Map<string, unknown>>>();
  private readonly fallbackKeys = new Map<string, Map<string, Map<string, unknown>>>();
  private readonly inbox = new Map<string, ToDeviceEvent[]>();
  private readonly changed = new Map<string, Set<string>>();
  readonly requests: Record<string, number> = {};

  private devices(user: string): Map<string, Json> {
    const m = this.deviceKeys.get(user) ?? new Map<string, Json>();
    this.deviceKeys.set(user, m);
    return m;
  }

  private keysOf(store: Map<string, Map<string, Map<string, unknown>>>, user: string, device: string) {
    const u = store.get(user) ?? new Map<string, Map<string, unknown>>();
    store.set(user, u);
    const d = u.get(device) ?? new Map<string, unknown>();
    u.set(device, d);
    return d;
  }

  private otkCount(user: string, device: string): number {
    return this.keysOf(this.oneTimeKeys, user, device).size;
  }

  /** Every known client hears that `user`'s devices changed. */
  private announce(user: string): void {
    for (const [client, set] of this.changed) if (!client.startsWith(`${user}|`)) set.add(user);
  }

  register(user: string, device: string): void {
    this.changed.set(`${user}|${device}`, new Set());
    this.inbox.set(`${user}|${device}`, []);
  }

  handle(user: string, device: string, type: number, body: Json, eventType?: string): Json {
    this.requests[RequestType[type] ?? String(type)] =
      (this.requests[RequestType[type] ?? String(type)] ?? 0) + 1;
    switch (type) {
      case RequestType.KeysUpload: {
        if (body.device_keys) {
          this.devices(user).set(device, body.device_keys as Json);
          this.announce(user);
        }
        for (const [id, key] of Object.entries((body.one_time_keys ?? {}) as Json)) {
          const keys = this.keysOf(this.oneTimeKeys, user, device);
          if (keys.has(id) && JSON.stringify(keys.get(id)) !== JSON.stringify(key)) {
            throw new Error(`One time key ${id} already exists`);
          }
          keys.set(id, key);
        }
        for (const [id, key] of Object.entries((body.fallback_keys ?? {}) as Json)) {
          const keys = this.keysOf(this.fallbackKeys, user, device);
          keys.clear();
          keys.set(id, key);
        }
        return { one_time_key_counts: { signed_curve25519: this.otkCount(user, device) } };
      }
      case RequestType.KeysQuery: {
        const result: Record<string, Json> = {};
        for (const u of Object.keys((body.device_keys ?? {}) as Json)) {
          result[u] = Object.fromEntries(this.devices(u));
        }
        return { device_keys: result, failures: {} };
      }
      case RequestType.KeysClaim: {
        const result: Record<string, Record<string, Json>> = {};
        for (const [u, devs] of Object.entries((body.one_time_keys ?? {}) as Record<string, Json>)) {
          for (const d of Object.keys(devs)) {
            const otks = this.keysOf(this.oneTimeKeys, u, d);
            let picked: [string, unknown] | undefined = otks.entries().next().value;
            if (picked) otks.delete(picked[0]);
            else picked = this.keysOf(this.fallbackKeys, u, d).entries().next().value;
            if (!picked) continue;
            result[u] ??= {};
            result[u][d] = { [picked[0]]: picked[1] };
          }
        }
        return { one_time_keys: result, failures: {} };
      }
      case RequestType.ToDevice: {
        const messages = (body.messages ?? {}) as Record<string, Record<string, unknown>>;
        for (const [u, devs] of Object.entries(messages)) {
          for (const [d, content] of Object.entries(devs)) {
            const targets = d === '*' ? Array.from(this.devices(u).keys()) : [d];
            for (const t of targets)
              this.inbox.get(`${u}|${t}`)?.push({ type: eventType ?? '', sender: user, content });
          }
        }
        return {};
      }
      default:
        throw new Error(`fake server: unsupported request type ${type}`);
    }
  }

  /** The crypto part of a /sync response for one device. */
  sync(user: string, device: string) {
    const key = `${user}|${device}`;
    const events = this.inbox.get(key)?.splice(0) ?? [];
    const changed = Array.from(this.changed.get(key) ?? []);
    this.changed.get(key)?.clear();
    return {
      events,
      changed,
      otkCounts: { signed_curve25519: this.otkCount(user, device) },
      unusedFallbacks: this.keysOf(this.fallbackKeys, user, device).size > 0 ? ['signed_curve25519'] : [],
    };
  }
}

/** One device of one user: a machine driven like matrix-bot-sdk's RustEngine drives it. */
export class FakeClient {
  constructor(
    readonly server: FakeKeysServer,
    readonly user: string,
    readonly device: string,
    public machine: OlmMachine,
  ) {
    server.register(user, device);
  }

  async run(only?: number[]): Promise<void> {
    for (const r of await this.machine.outgoingRequests()) {
      if (only && !only.includes(r.type)) continue;
      await this.send(r);
    }
  }

  async send(r: {
    id: string;
    type: number;
    body: string;
    txnId?: string;
    eventType?: string;
  }): Promise<void> {
    const resp = this.server.handle(this.user, this.device, r.type, JSON.parse(r.body), r.eventType);
    const id = r.type === RequestType.ToDevice ? (r.txnId ?? r.id) : r.id;
    await this.machine.markRequestAsSent(id, r.type, JSON.stringify(resp));
  }

  /** Feeds the machine one /sync worth of to-device events and device-list changes; returns the decrypted events. */
  async sync(): Promise<{ type: string; sender: string; content: Record<string, unknown> }[]> {
    const s = this.server.sync(this.user, this.device);
    const out = JSON.parse(
      await this.machine.receiveSyncChanges(
        JSON.stringify(s.events),
        new DeviceLists(
          s.changed.map((u) => new UserId(u)),
          [],
        ),
        s.otkCounts,
        s.unusedFallbacks,
      ),
    );
    await this.run();
    return out[0];
  }

  /** What RustEngine.prepareEncrypt does, then encrypts one event. */
  async encrypt(
    roomId: string,
    members: string[],
    type: string,
    content: unknown,
    settings = new EncryptionSettings(),
  ): Promise<Json> {
    const users = members.map((m) => new UserId(m)); // reused across calls, as the SDK does (P1)
    await this.machine.updateTrackedUsers(users);
    await this.run([RequestType.KeysQuery]);
    const claim = await this.machine.getMissingSessions(users);
    if (claim) await this.send(claim);
    for (const r of await this.machine.shareRoomKey(new RoomId(roomId), users, settings)) await this.send(r);
    const encrypted = JSON.parse(
      await this.machine.encryptRoomEvent(new RoomId(roomId), type, JSON.stringify(content)),
    );
    await this.run();
    return encrypted;
  }
}
