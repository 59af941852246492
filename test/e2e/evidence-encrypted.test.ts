// `!evidence` with encryption on (the production default), on the real Synapse with an admin whose client
// really encrypts (matrix-js-sdk 43): the report arrives in an encrypted direct-message room as an
// encrypted attachment; the media repository holds only ciphertext, and the key in the event opens it.
import { createDecipheriv, createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';
import { said, t } from '../support/catalogue.js';
import { CryptoUser } from './support/crypto-user.js';
import { describeWorld, worldTest } from './support/fixtures.js';
import { acceptNextInvite, membership, named, waitForEvent } from './support/homeserver.js';
import {
  BOT_TIMEOUT_MS,
  isOpened,
  isPrompt,
  postFrom,
  registerPeople,
  wait,
} from './support/meeting-helpers.js';

const it = worldTest({ matrix: { encryption: true } }, { admin: 'Ada' });

interface EncryptedFile {
  url: string;
  key: { k: string };
  iv: string;
  hashes: { sha256: string };
}

const unpadded = (b64: string) => Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

describeWorld(it, '!evidence in an encrypted direct message', () => {
  it('arrives as an encrypted file the admin can open; the homeserver holds only ciphertext', async ({
    w,
    botId,
    admin,
    clients,
  }) => {
    const [olgaUser] = await registerPeople(w.hs, ['Olga']);
    const [olga, ada] = await Promise.all([CryptoUser.start(olgaUser), CryptoUser.start(admin)]);
    clients.push(olga, ada);
    const roomId = await olga.user.createRoom({
      name: 'encrypted evidence',
      encrypted: true,
      invite: [botId, ada.userId],
    });
    await acceptNextInvite(ada.user, { from: olga.userId });
    await waitForEvent(olga.user, roomId, membership(botId, 'join'), wait);
    for (const u of [olga, ada]) await u.awaitMembers(roomId, [botId, olga.userId, ada.userId]);

    const command = await olga.sendText(roomId, `!meeting Evidenz ${olga.userId}`);
    const prompt = await olga.waitFor(roomId, isPrompt(botId), { afterEventId: command, ...wait });
    const answer = await olga.user.react(roomId, prompt.event_id, '❌');
    // Olga is the only invitee: her ❌ opens the meeting (unrecorded), so it is stored by then.
    await olga.waitFor(roomId, isOpened(botId, 'Evidenz'), { afterEventId: answer, ...wait });

    const asked = await ada.sendText(roomId, '!evidence');
    const dm = await acceptNextInvite(ada.user, { from: botId, timeoutMs: BOT_TIMEOUT_MS });
    const isFile = named('the report file', (e) => e.sender === botId && e.content.msgtype === 'm.file');
    const event = await ada.waitFor(dm, isFile, wait);
    await ada.waitFor(roomId, postFrom(botId, said(t.evidenceSent(1))), {
      afterEventId: asked,
      ...wait,
    });

    expect(event.encrypted).toBe(true);
    expect(event.content.url).toBeUndefined();
    const file = event.content.file as EncryptedFile;
    const [server, mediaId] = file.url.replace('mxc://', '').split('/');
    const res = await fetch(`${w.hs.url}/_matrix/client/v1/media/download/${server}/${mediaId}`, {
      headers: { authorization: `Bearer ${ada.user.accessToken}` },
    });
    expect(res.status).toBe(200);
    const ciphertext = Buffer.from(await res.arrayBuffer());
    expect(ciphertext.toString('utf8')).not.toContain('consent');
    expect(createHash('sha256').update(ciphertext).digest('base64').replace(/=+$/, '')).toBe(
      file.hashes.sha256,
    );

    const decipher = createDecipheriv('aes-256-ctr', unpadded(file.key.k), unpadded(file.iv));
    const csv = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.type === 'meeting')?.meeting_title).toBe('Evidenz');
    expect(rows.find((r) => r.type === 'consent' && r.user_id === olga.userId)).toMatchObject({
      answer: 'decline',
      matrix_event_id: answer,
    });
  });
});
