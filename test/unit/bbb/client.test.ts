import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { BbbClient, batchRecordIds, checksum } from '../../../src/bbb/index.js';
import { logSink } from '../../support/log-sink.js';

const SECRET = 'top-secret-salt';
const ok = (body = '') => `<response><returncode>SUCCESS</returncode>${body}</response>`;

function fakeFetch(answer: (url: URL) => string) {
  const urls: URL[] = [];
  const fn = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    urls.push(url);
    return new Response(answer(url), { status: 200, headers: { 'content-type': 'text/xml' } });
  }) as typeof fetch;
  return { fn, urls };
}

const client = (fetch?: typeof globalThis.fetch, logger?: pino.Logger) =>
  new BbbClient({ url: 'https://h/bigbluebutton', secret: SECRET, algorithm: 'sha256', fetch, logger });

describe('BbbClient URL handling', () => {
  it.each([
    'https://bbb.example.com/bigbluebutton',
    'https://bbb.example.com/bigbluebutton/',
    'https://bbb.example.com/bigbluebutton/api',
    'https://bbb.example.com/bigbluebutton/api/',
  ])('accepts %s as the base', (url) => {
    expect(new BbbClient({ url, secret: SECRET, algorithm: 'sha256' }).apiBase).toBe(
      'https://bbb.example.com/bigbluebutton/api',
    );
  });

  it('signs join URLs with the configured algorithm over the exact query, checksum last', () => {
    const client = new BbbClient({ url: 'https://h/bigbluebutton/', secret: SECRET, algorithm: 'sha512' });
    const url = client.joinUrl({
      meetingID: 'team-42',
      fullName: "Zoë O'Brien",
      role: 'MODERATOR',
      userID: '@zoe:example.org',
      createTime: '1718000000000',
      redirect: false,
    });
    const [base, query] = url.split('?') as [string, string];
    expect(base).toBe('https://h/bigbluebutton/api/join');
    const [signed, sum] = query.split('&checksum=') as [string, string];
    expect(signed).toBe(
      'fullName=Zo%C3%AB%20O%27Brien&meetingID=team-42&role=MODERATOR&userID=%40zoe%3Aexample.org&createTime=1718000000000&redirect=false',
    );
    expect(sum).toBe(checksum('join', signed, SECRET, 'sha512'));
    expect(sum).toHaveLength(128);
  });

  it('sends create flags, meta_ names and the recording-ready URL as BBB expects', async () => {
    const { fn, urls } = fakeFetch(() =>
      ok('<meetingID>m-1</meetingID><internalMeetingID>i-1</internalMeetingID><createTime>17</createTime>'),
    );
    const res = await client(fn).create({
      name: 'N',
      meetingID: 'm-1',
      record: true,
      autoStartRecording: true,
      allowStartStopRecording: false,
      meta: { 'bot-meeting': '12' },
      recordingReadyUrl: 'https://bot/rr',
    });
    expect(res).toEqual({ meetingID: 'm-1', internalMeetingID: 'i-1', createTime: '17', duplicate: false });
    const p = urls[0]!.searchParams;
    expect(p.get('record')).toBe('true');
    expect(p.get('autoStartRecording')).toBe('true');
    expect(p.get('allowStartStopRecording')).toBe('false');
    expect(p.get('meta_bot-meeting')).toBe('12');
    expect(p.get('meta_bbb-recording-ready-url')).toBe('https://bot/rr');
    expect(p.has('duration')).toBe(false);
  });

  it('refuses metadata names that cannot become XML element names', async () => {
    await expect(client().create({ name: 'n', meetingID: 'm', meta: { 'a b': 'x' } })).rejects.toThrow(
      RangeError,
    );
  });

  it('treats empty ID filters as "nothing" instead of asking BBB for everything', async () => {
    const { fn, urls } = fakeFetch(() => ok());
    expect(await client(fn).getRecordings({ meetingID: [] })).toEqual([]);
    expect(await client(fn).getRecordings({ recordID: [] })).toEqual([]);
    expect(urls).toHaveLength(0);
  });
});

describe('BbbClient logging', () => {
  it('logs call name and meetingID but never the URL, checksum or secret', async () => {
    const { sink, lines } = logSink();
    const { fn } = fakeFetch((u) =>
      u.pathname.endsWith('/create')
        ? ok('<meetingID>m-1</meetingID><internalMeetingID>i</internalMeetingID><createTime>1</createTime>')
        : '<response><returncode>FAILED</returncode><messageKey>notFound</messageKey></response>',
    );
    const bbb = client(fn, pino({ level: 'debug' }, sink));
    await bbb.create({ name: 'N', meetingID: 'm-1' });
    const join = bbb.joinUrl({ meetingID: 'm-1', fullName: 'Jane', role: 'VIEWER' });
    await bbb.end('m-1');
    const log = lines.join('\n');
    expect(log).toContain('"call":"create"');
    expect(log).toContain('"meetingID":"m-1"');
    expect(log).toContain('"call":"join"');
    const joinChecksum = new URL(join).searchParams.get('checksum')!;
    for (const secretish of [SECRET, joinChecksum, 'checksum', 'https://h', 'fullName']) {
      expect(log).not.toContain(secretish);
    }
  });
});

describe('batchRecordIds', () => {
  const ids = Array.from(
    { length: 120 },
    (_, i) => `ffbfc4cc24428694e8b53a4e144f414052431693-${1530000000000 + i}`,
  );

  it('cuts at the batch size', () => {
    expect(batchRecordIds(ids, 50).map((b) => b.length)).toEqual([50, 50, 20]);
  });

  it('cuts earlier when the URL budget is reached, never losing or repeating an ID', () => {
    const batches = batchRecordIds(ids, 100, 1000);
    expect(batches.every((b) => b.reduce((n, id) => n + id.length + 3, 0) <= 1000)).toBe(true);
    expect(batches.flat()).toEqual(ids);
  });
});

describe('BbbClient.getAllRecordings against real pagination shapes', () => {
  const rec = (id: string) =>
    `<recording><recordID>${id}</recordID><meetingID>m</meetingID><published>true</published><state>published</state></recording>`;
  const pagination = (offset: number, limit: number, total: number) =>
    `<pagination><pageable><offset>${offset}</offset><limit>${limit}</limit><paged>true</paged><unpaged>false</unpaged></pageable><totalElements>${total}</totalElements><empty>false</empty></pagination>`;
  const ids = Array.from({ length: 8 }, (_, i) => `r-${i}`);

  /** A BBB 2.6–3.0 server holding `ids` that reports `total` in the pagination block. */
  function paginated(total: number, ignoreOffset = false) {
    return fakeFetch((url) => {
      const offset = ignoreOffset ? 0 : Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      const slice = ids.slice(offset, offset + limit);
      if (slice.length === 0) return ok('<recordings/><messageKey>noRecordings</messageKey>');
      return ok(`<recordings>${slice.map(rec).join('')}</recordings>${pagination(offset, limit, total)}`);
    });
  }
  it('returns all 8 recordings of a listing paged by 3', async () => {
    const { fn, urls } = paginated(8);
    const all = await client(fn).getAllRecordings({ meetingID: ['m'] }, 3);
    expect(all.map((r) => r.recordID)).toEqual(ids);
    expect(urls).toHaveLength(3);
  });

  it('stops when the total (as BBB 3.0 over-counts it) is larger than the recordings', async () => {
    const { fn, urls } = paginated(50);
    const all = await client(fn).getAllRecordings({ meetingID: ['m'] }, 4);
    expect(all).toHaveLength(8);
    expect(urls.length).toBeLessThanOrEqual(3);
  });

  it('stops when the server answers every offset with the same page', async () => {
    const { fn, urls } = paginated(1000, true);
    const all = await client(fn).getAllRecordings({ meetingID: ['m'] }, 3);
    expect(all.map((r) => r.recordID)).toEqual(ids.slice(0, 3));
    expect(urls).toHaveLength(2);
  });
});
