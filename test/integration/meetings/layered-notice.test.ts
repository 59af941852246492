// The layered privacy notice (design.md §3.9): a short first layer with every meeting, the full text
// once per room and notice version, one click away by permalink; consent is tied to the full text.
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { permalink } from '../../../src/app/notice-posting.js';
import { evidenceCsv } from '../../../src/evidence/format.js';
import { buildEvidence } from '../../../src/evidence/report.js';
import { de } from '../../../src/i18n/de.js';
import { mention } from '../../../src/i18n/rich.js';
import { ALICE, BOB, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { firstLayerOf, fullNoticeOpening, noticeOpening, said, t } from '../../support/catalogue.js';
import { it } from '../../support/fixtures.js';
import { SAMPLE_NOTICE_FACTS } from '../../support/notice-facts.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the layered notice', () => {
  it('first layer and prompt fit one screen; the full text is one click away and is what consent is tied to', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} ${BOB}`);
    const meeting = h.app.ctx.stores.meetings.inRoom(ROOM)[0]!;
    const [full, firstLayer, prompt] = h.chat.inRoom(ROOM);
    expect(firstLayer!.eventId).toBe(meeting.noticeEventId);
    expect(prompt!.eventId).toBe(meeting.promptEventId);

    // What people read with every meeting: short, with the facts from the config.
    expect(firstLayer!.text.length + prompt!.text.length).toBeLessThan(1200);
    // The permalink in the first layer points at the full text, in this room.
    const permalink = `https://matrix.to/#/${encodeURIComponent(ROOM)}/${encodeURIComponent(full!.eventId)}?via=test`;
    const version = meeting.noticeSha256.slice(0, 12);
    expect(firstLayer!.text).toBe(firstLayerOf({ title: 'Weekly sync', version, fullText: permalink }));
    expect(firstLayer!.text).toContain(SAMPLE_NOTICE_FACTS.controller);
    expect(firstLayer!.html).toContain(`<a href="${permalink}">`);

    // The full text is the filled-in template; its SHA-256 is the version stored with the meeting.
    const [header, ...rest] = full!.text.split('\n\n');
    expect(header).toBe(said(t.noticeFullHeader(version)));
    const fullText = rest.join('\n\n');
    expect(sha256(fullText)).toBe(meeting.noticeSha256);
    expect(h.app.ctx.stores.meetings.noticeText(meeting.noticeSha256)).toBe(fullText);
    expect(fullText).toContain('Beispiel GmbH, Musterstraße 1, 10115 Berlin');
    // URLs are real links (the seed's "<https://…>" rendered as a link to "…&gt;").
    expect(full!.html).toContain('<a href="https://hosting.example.org/datenschutz">');
    expect(full!.html).not.toContain('&gt;"');
  });

  it('a ✅ on the notice (full text or first layer) is no answer: the invitee is pointed to the prompt, once', async ({
    h,
  }) => {
    const { id, prompt } = await h.plan(`Weekly sync ${ALICE} ${BOB}`);
    const [full, firstLayer] = h.chat.inRoom(ROOM);
    const link = permalink(ROOM, prompt, h.chat.botUserId);
    const pointer = de.answerOnPrompt(mention(ALICE, 'Alice'), 'Weekly sync', link);
    const before = h.chat.inRoom(ROOM).length;

    await h.react(ALICE, full!.eventId, '✅');
    const answer = h.chat.inRoom(ROOM).at(-1)!;
    expect(answer.text).toBe(pointer.text);
    expect(answer.html).toContain(`<a href="${link}">`);
    expect(answer.mentions).toEqual([ALICE]);
    // It counted for nothing.
    expect(h.app.ctx.stores.meetings.consentEvents(id)).toHaveLength(0);

    // Once per person and meeting; the first layer is the same notice.
    await h.react(ALICE, firstLayer!.eventId, '❌');
    expect(h.chat.inRoom(ROOM)).toHaveLength(before + 1);
    // Someone who answered on the prompt already, and someone not invited, hear nothing.
    await h.react(BOB, prompt, '✅');
    const afterAnswer = h.chat.inRoom(ROOM).length;
    await h.react(BOB, full!.eventId, '✅');
    await h.react('@stranger:test', firstLayer!.eventId, '✅');
    expect(h.chat.inRoom(ROOM)).toHaveLength(afterAnswer);
  });

  it('posts the full text once per room and version; later meetings link to the same message', async ({
    h,
  }) => {
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    await h.say(ORGANIZER, `!meeting Two ${BOB}`);
    const fulls = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(fullNoticeOpening));
    expect(fulls).toHaveLength(1);
    const firstLayers = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith(noticeOpening));
    expect(firstLayers).toHaveLength(2);
    for (const m of firstLayers) expect(m.text).toContain(encodeURIComponent(fulls[0]!.eventId));

    // Another room gets its own copy (a permalink into a room one is not in opens nothing).
    h.chat.room('!other:test', [h.chat.botUserId, ORGANIZER, ALICE]);
    await h.say(ORGANIZER, `!meeting Three ${ALICE}`, '!other:test');
    expect(h.chat.inRoom('!other:test').filter((m) => m.text.startsWith(fullNoticeOpening))).toHaveLength(1);
  });

  it('after a restart in the middle, nothing is posted twice', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    const before = h.chat.inRoom(ROOM).length;
    await h.restartAndReconcile();
    expect(h.chat.inRoom(ROOM)).toHaveLength(before);
  });

  it('stores the first layer and prompt people answered on, ties each answer to it and to the full text, and lists both in the evidence', async ({
    harness,
  }) => {
    const h = await harness({ consent: { ask: 'direct' } });
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE}`);
    const stores = h.app.ctx.stores;
    const prompt = stores.meetings.dmPrompt(1, ALICE)!;
    await h.react(ALICE, prompt.eventId, '✅', prompt.roomId);
    // What Alice saw in her DM: the first layer, then the prompt (as first posted).
    const dm = h.chat.inRoom(prompt.roomId);
    const firstLayer = dm.find((m) => m.text.startsWith(noticeOpening))!;
    const shown = `${firstLayer.text}\n\n${dm.find((m) => m.eventId === prompt.eventId)!.text}`;
    const [answer] = stores.meetings.consentEvents(1);
    expect(answer?.consentTextSha256).toBe(sha256(shown));
    expect(answer?.noticeSha256).toBe(h.app.ctx.notice.sha256);

    const report = buildEvidence(stores.db, {});
    expect(report.meetings[0]?.invitees.find((i) => i.userId === ALICE)?.consents[0]).toMatchObject({
      noticeVersion: h.app.ctx.notice.sha256,
      consentTextVersion: sha256(shown),
    });
    expect(report.consentTexts).toContainEqual(
      expect.objectContaining({
        version: sha256(shown),
        noticeVersion: h.app.ctx.notice.sha256,
        text: shown,
      }),
    );
    const csv = evidenceCsv(report);
    expect(csv).toContain('consent-text');
    expect(csv).toContain(sha256(shown));
  });

  it('!notice sends the full text by DM to whoever asks', async ({ h }) => {
    await h.say(BOB, '!notice');
    expect(h.chat.inRoom(ROOM).at(-1)?.text).toBe(de.noticeSent.text);
    const [full] = h.chat.dmOf(BOB);
    expect(full?.text).toContain(h.app.ctx.notice.text);
    expect(full?.text).toContain(said(t.noticeFullHeader(h.app.ctx.notice.sha256.slice(0, 12))));
  });
});
