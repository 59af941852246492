import { describe, expect, it } from 'vitest';
import { BbbError, BbbUnavailableError } from '../../../src/bbb/index.js';
import { toMeetingInfo, toRecordingPage } from '../../../src/bbb/normalise.js';
import { parseEnvelope } from '../../../src/bbb/xml.js';
import { thrown } from '../../support/thrown.js';

const recording = (id: string, ...formats: string[]) => `
  <recording>
    <recordID>${id}</recordID>
    <meetingID>007</meetingID>
    <internalMeetingID>${id}</internalMeetingID>
    <name>Weekly &amp; Sync</name>
    <isBreakout>false</isBreakout>
    <published>true</published>
    <state>published</state>
    <startTime>1718000001234</startTime>
    <endTime>1718003601234</endTime>
    <participants>4</participants>
    <metadata><meetingName>Weekly Sync</meetingName><bbb-recording-ready-url>https://bot/x</bbb-recording-ready-url><room>1e5</room></metadata>
    ${formats.length ? `<playback>${formats.join('')}</playback>` : ''}
  </recording>`;

const presentation = `
  <format>
    <type>presentation</type>
    <url>https://bbb.example.com/playback/presentation/2.3/x</url>
    <processingTime>41234</processingTime>
    <length>58</length>
    <preview><images>
      <image width="176" height="136" alt="Slide 1">https://bbb.example.com/thumb-1.png</image>
    </images></preview>
  </format>`;
const video = '<format><type>video</type><url>https://v</url><length>3</length></format>';

const envelope = (body: string) =>
  `<?xml version="1.0"?><response><returncode>SUCCESS</returncode>${body}</response>`;
const page = (body: string) => toRecordingPage(parseEnvelope('getRecordings', envelope(body)));
const listed = (...recordings: string[]) =>
  page(`<recordings>${recordings.join('')}</recordings>`).recordings;

describe('getRecordings XML normalisation', () => {
  it('gives an array for a single recording, a single format and a single image', () => {
    const recordings = listed(recording('a-1', presentation));
    expect(recordings).toHaveLength(1);
    const [rec] = recordings;
    expect(rec?.playback).toHaveLength(1);
    expect(rec?.playback[0]?.previewImages).toEqual([
      { url: 'https://bbb.example.com/thumb-1.png', width: 176, height: 136, alt: 'Slide 1' },
    ]);
  });

  it('gives arrays for many recordings and many formats', () => {
    const recordings = listed(recording('a-1', presentation, video), recording('a-2'));
    expect(recordings.map((r) => r.recordID)).toEqual(['a-1', 'a-2']);
    expect(recordings[0]?.playback.map((f) => f.type)).toEqual(['presentation', 'video']);
    expect(recordings[1]?.playback).toEqual([]);
  });

  it('keeps numeric-looking IDs and metadata as strings and converts typed fields', () => {
    const [rec] = listed(recording('007', presentation));
    expect(rec).toMatchObject({
      recordID: '007',
      meetingID: '007',
      name: 'Weekly & Sync',
      published: true,
      state: 'published',
      startTime: 1718000001234,
      endTime: 1718003601234,
      participants: 4,
      metadata: { meetingName: 'Weekly Sync', 'bbb-recording-ready-url': 'https://bot/x', room: '1e5' },
    });
    expect(rec?.playback[0]).toMatchObject({ length: 58, processingTime: 41234 });
  });

  it.each([
    ['empty element', '<recordings/><messageKey>noRecordings</messageKey><message>none</message>'],
    ['open/close pair', '<recordings></recordings><messageKey>noRecordings</messageKey>'],
    ['missing element', '<messageKey>noRecordings</messageKey>'],
  ])('maps noRecordings with an %s to []', (_name, body) => {
    expect(page(body).recordings).toEqual([]);
  });

  const one = `<recordings>${recording('a-1')}</recordings>`;
  it('reads totalElements only when the server paginated', () => {
    expect(page(`${one}<totalElements>31</totalElements>`).totalElements).toBe(31);
    expect(page(one).totalElements).toBeUndefined();
  });

  it('reads the total inside the pagination block of BBB 2.6, 2.7 and 3.0', () => {
    const body = `${one}
      <pagination>
        <pageable><offset>0</offset><limit>3</limit><paged>true</paged><unpaged>false</unpaged></pageable>
        <totalElements>8</totalElements>
        <empty>false</empty>
      </pagination>`;
    expect(page(body).totalElements).toBe(8);
  });

  it('decodes character references as a template-rendering load balancer sends them', () => {
    const xml = recording('a-1')
      .replace('Weekly &amp; Sync', 'Fred&#x27;s Room &#233;t&#xE9; &amp;#x27;')
      .replace('<room>1e5</room>', '<room>O&#39;Neil</room>');
    const [rec] = listed(xml);
    // Decoded once: an escaped ampersand stays a literal reference.
    expect(rec?.name).toBe("Fred's Room été &#x27;");
    expect(rec?.metadata.room).toBe("O'Neil");
  });

  it('reads a recording without <state> by its <published> flag, not as one still processing', () => {
    const published = recording('a-1').replace('<state>published</state>', '');
    const unpublished = recording('a-2')
      .replace('<state>published</state>', '')
      .replace('<published>true</published>', '<published>false</published>');
    const recordings = listed(published, unpublished);
    expect(recordings.map((r) => r.state)).toEqual(['published', 'unpublished']);
  });

  it('gives an empty metadata object for an empty <metadata/>', () => {
    const xml = recording('a-1').replace(/<metadata>.*<\/metadata>/, '<metadata/>');
    expect(listed(xml)[0]?.metadata).toEqual({});
  });
});

describe('getMeetingInfo XML normalisation', () => {
  const info = (attendees: string) =>
    toMeetingInfo(
      parseEnvelope(
        'getMeetingInfo',
        envelope(`<meetingName>W</meetingName><meetingID>0123</meetingID><internalMeetingID>i-1</internalMeetingID>
        <createTime>1718000000000</createTime><running>true</running><hasUserJoined>true</hasUserJoined>
        <recording>true</recording><attendeePW>0099</attendeePW><moderatorPW>mp</moderatorPW>
        <attendees>${attendees}</attendees><metadata><endcallbackurl>https://x</endcallbackurl></metadata>`),
      ),
    );
  const jane =
    '<attendee><userID>@jane:hs</userID><fullName>Jane</fullName><role>MODERATOR</role><isPresenter>true</isPresenter><customdata><team>blue</team></customdata></attendee>';
  const bob =
    '<attendee><userID>42</userID><fullName>Bob</fullName><role>VIEWER</role><customdata/></attendee>';

  it('gives an array for one attendee and keeps IDs and passwords as strings', () => {
    const i = info(jane);
    expect(i.attendees).toEqual([
      {
        userID: '@jane:hs',
        fullName: 'Jane',
        role: 'MODERATOR',
        isPresenter: true,
        customdata: { team: 'blue' },
      },
    ]);
    expect(i).toMatchObject({
      meetingID: '0123',
      attendeePW: '0099',
      createTime: '1718000000000',
      recording: true,
    });
    expect(i.metadata).toEqual({ endcallbackurl: 'https://x' });
  });

  it('gives arrays for many attendees and [] for an empty <attendees/>', () => {
    expect(info(jane + bob).attendees.map((a) => a.userID)).toEqual(['@jane:hs', '42']);
    expect(info('').attendees).toEqual([]);
  });
});

describe('FAILED envelopes', () => {
  it('throws BbbError with messageKey and message', () => {
    const xml =
      '<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>';
    const err = thrown(BbbError, () => parseEnvelope('create', xml));
    expect(err).toMatchObject({ call: 'create', messageKey: 'checksumError' });
    expect(err.errors).toEqual([{ key: 'checksumError', message: 'Checksums do not match' }]);
  });

  it('throws BbbError for the <errors><error> list form, keyed by the first error', () => {
    const xml = `<response><returncode>FAILED</returncode><errors>
      <error><key>missingParamMeetingID</key><message>You must specify a meeting ID</message></error>
      <error><key>checksumError</key><message>Checksums do not match</message></error>
    </errors></response>`;
    const err = thrown(BbbError, () => parseEnvelope('join', xml));
    expect(err).toMatchObject({ call: 'join', messageKey: 'missingParamMeetingID' });
    expect(err.errors.map((e) => e.key)).toEqual(['missingParamMeetingID', 'checksumError']);
  });

  it('treats a single <error> in the list form the same way', () => {
    const xml =
      '<response><returncode>FAILED</returncode><errors><error><key>paramError</key><message>m</message></error></errors></response>';
    expect(() => parseEnvelope('join', xml)).toThrow(expect.objectContaining({ messageKey: 'paramError' }));
  });

  it('reports non-BBB bodies as an invalid response, not as success', () => {
    expect(() => parseEnvelope('create', '<html><body>502 Bad Gateway</body></html>')).toThrow(
      BbbUnavailableError,
    );
    expect(() => parseEnvelope('create', 'not xml <')).toThrow(BbbUnavailableError);
    expect(() => parseEnvelope('create', '<response><returncode>MAYBE</returncode></response>')).toThrow(
      BbbUnavailableError,
    );
  });
});
