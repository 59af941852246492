// The layered privacy notice (design.md §3.9): a short first layer with every meeting, the full text
// once per room and notice version, one click away by permalink; consent is tied to the full text.
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { permalink } from '../../../src/app/planning.js';
import { de } from '../../../src/i18n/de.js';
import { mention } from '../../../src/i18n/rich.js';
import { ALICE, BOB, ORGANIZER, ROOM } from '../../support/app-harness.js';
import { it } from '../../support/fixtures.js';

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
    expect(firstLayer!.text).toMatch(
      /^Datenschutzhinweis zur Videokonferenz „Weekly sync“ \(Fassung [0-9a-f]{12}\)/,
    );
    for (const fact of [
      'Verantwortlich: Beispiel GmbH, Musterstraße 1, 10115 Berlin',
      'Kontakt: datenschutz@example.org',
      'nur, wenn alle Eingeladenen zustimmen',
      'Beispiel Hosting GmbH',
      '!withdraw',
      'nach 30 Tagen gelöscht',
    ]) {
      expect(firstLayer!.text).toContain(fact);
    }

    // The permalink in the first layer points at the full text, in this room.
    const permalink = `https://matrix.to/#/${encodeURIComponent(ROOM)}/${encodeURIComponent(full!.eventId)}?via=test`;
    expect(firstLayer!.text).toContain(permalink);
    expect(firstLayer!.html).toContain(`<a href="${permalink}">`);

    // The full text is the filled-in template; its SHA-256 is the version stored with the meeting.
    const [header, ...rest] = full!.text.split('\n\n');
    expect(header).toContain(`Fassung ${meeting.noticeSha256.slice(0, 12)}`);
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
    await h.say(ORGANIZER, `!meeting Weekly sync ${ALICE} ${BOB}`);
    const meeting = h.app.ctx.stores.meetings.inRoom(ROOM)[0]!;
    const [full, firstLayer] = h.chat.inRoom(ROOM);
    const pointer = de.answerOnPrompt(
      mention(ALICE, 'Alice'),
      'Weekly sync',
      permalink(ROOM, meeting.promptEventId!, h.chat.botUserId),
    );
    const before = h.chat.inRoom(ROOM).length;

    await h.react(ALICE, full!.eventId, '✅');
    const answer = h.chat.inRoom(ROOM).at(-1)!;
    expect(answer.text).toBe(pointer.text);
    expect(answer.html).toContain(`<a href="${permalink(ROOM, meeting.promptEventId!, h.chat.botUserId)}">`);
    expect(answer.mentions).toEqual([ALICE]);
    // It counted for nothing.
    expect(h.app.ctx.stores.meetings.consentEvents(meeting.id)).toHaveLength(0);

    // Once per person and meeting; the first layer is the same notice.
    await h.react(ALICE, firstLayer!.eventId, '❌');
    expect(h.chat.inRoom(ROOM)).toHaveLength(before + 1);
    // Someone who answered on the prompt already, and someone not invited, hear nothing.
    await h.react(BOB, meeting.promptEventId!, '✅');
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
    const fulls = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith('Vollständiger Datenschutzhinweis'));
    expect(fulls).toHaveLength(1);
    const firstLayers = h.chat.inRoom(ROOM).filter((m) => m.text.startsWith('Datenschutzhinweis zur'));
    expect(firstLayers).toHaveLength(2);
    for (const m of firstLayers) expect(m.text).toContain(encodeURIComponent(fulls[0]!.eventId));

    // Another room gets its own copy (a permalink into a room one is not in opens nothing).
    h.chat.room('!other:test', [h.chat.botUserId, ORGANIZER, ALICE]);
    await h.say(ORGANIZER, `!meeting Three ${ALICE}`, '!other:test');
    expect(
      h.chat.inRoom('!other:test').filter((m) => m.text.startsWith('Vollständiger Datenschutzhinweis')),
    ).toHaveLength(1);
  });

  it('after a restart in the middle, nothing is posted twice', async ({ h }) => {
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    const before = h.chat.inRoom(ROOM).length;
    await h.restart();
    await h.app.reconciler.run();
    expect(h.chat.inRoom(ROOM)).toHaveLength(before);
  });

  it('states "until withdrawal" in the first layer when recordings are kept until then', async ({
    harness,
  }) => {
    const h = await harness({ retention: { recordingDays: null } });
    await h.say(ORGANIZER, `!meeting One ${ALICE}`);
    const firstLayer = h.chat.inRoom(ROOM).find((m) => m.text.startsWith('Datenschutzhinweis zur'))!;
    expect(firstLayer.text).toContain('Aufzeichnungen bleiben bis zu einem Widerruf gespeichert.');
    expect(firstLayer.text).not.toMatch(/nach \d+ Tag/);
  });
});
