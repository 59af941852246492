import { describe, expect, it } from 'vitest';
import { type ChecksumAlgorithm, checksum, signedUrl } from '../../../src/bbb/index.js';

// Every vector of shared/reference/bbb-api.md §2.4 (secret from the BBB docs).
const SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';

const V6 =
  'name=Weekly%20Sync&meetingID=team-42&record=true&autoStartRecording=false&allowStartStopRecording=true&meta_bbb-recording-ready-url=https%3A%2F%2Fbot.example.com%2Fbbb%2Frecording-ready';

/** Each vector's call and query, signed with one algorithm or more below. */
const QUERIES: Record<string, [call: string, query: string]> = {
  V1: ['create', 'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444'],
  V2: ['getMeetings', ''],
  V3a: ['join', 'fullName=Jane+Doe&meetingID=abc123&role=MODERATOR'],
  V3b: ['join', 'fullName=Jane%20Doe&meetingID=abc123&role=MODERATOR'],
  V3c: ['join', 'meetingID=abc123&fullName=Jane%20Doe&role=MODERATOR'],
  V4: ['getRecordings', 'meetingID=abc123&state=any&offset=0&limit=25'],
  V5: [
    'deleteRecordings',
    'recordID=ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124%2Cffbfc4cc24428694e8b53a4e144f414052431693-1530278898111',
  ],
  V6: ['create', V6],
  V7: ['create', 'name=O%27Neil%20%28test%29%2A&meetingID=m-1'],
  V8: ['hooks/create', 'callbackURL=https%3A%2F%2Fbot.example.com%2Fbbb%2Fhooks&meetingID=team-42'],
};

const sums: [string, ChecksumAlgorithm, string][] = [
  ['V1', 'sha1', '1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17'],
  ['V1', 'sha256', 'da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e'],
  [
    'V1',
    'sha384',
    '891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1',
  ],
  [
    'V1',
    'sha512',
    'de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4',
  ],
  ['V2', 'sha1', '2027baa7771026e9e93392f55031535d1444c41f'],
  ['V2', 'sha256', 'a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c'],
  ['V3a', 'sha1', '394884d79d622b31ef1c40ab64181ad0eec7d7f0'],
  ['V3a', 'sha256', '2ec635862d6a6081bfc11a64647a4cfaaffce8d8b6f4ad4e4ebbb832aebeefb3'],
  ['V3b', 'sha1', '6c3daf80f47a8f49da6834b80aa2f16403f4d44f'],
  ['V3b', 'sha256', '4f5c2028ca2e500ee2f568f2ca679db836715974f2ca22984e844d5086ec0317'],
  ['V3c', 'sha1', '844f1416de9cf135ed98da6e3abf89f559bdc5fc'],
  ['V4', 'sha256', '7834d7a3678c277859e744a96feccac924718101af1862c5b5dd72235276dea7'],
  ['V4', 'sha1', '5539fbbb5601285f1e952d20d18e17e5a564ddde'],
  ['V5', 'sha256', '9d71df8186a5202f21c25eb835476476b612445fa3837004b9684ccbfa04ff86'],
  ['V6', 'sha256', 'b73cbbfca2bcc66a42486ce16622de342090936863f83310e0e999da606bffd7'],
  ['V6', 'sha1', '1175fe0a86a05263148159fb265a54661becbc66'],
  ['V7', 'sha256', '606bd3bf3ae2ce694af92620b94e4386232bf09b10ce937006a51e9f16be67fd'],
  ['V8', 'sha256', '13c0259422c90ff443f1a220d9acd858bba94772ab6fe611a46fe3c4773d5568'],
  ['V8', 'sha1', 'f4873682090b3fe160e91c19ea3b6af9a8cd17f0'],
];
const vectors = sums.map(([id, algo, sum]) => [id, ...QUERIES[id]!, algo, sum] as const);

describe('checksum (reference §2.4 vectors)', () => {
  it.each(vectors)('%s %s %s/%s', (_id, call, query, algo, expected) => {
    expect(checksum(call, query, SECRET, algo)).toBe(expected);
  });

  it('defaults to sha256', () => {
    expect(checksum('getMeetings', '', SECRET)).toBe(
      'a5370c5f3d97d56d53b435684cdbc429c2898a3bf9f435518b4279e1e0dbfc8c',
    );
  });

  /** `signedUrl` with the docs' secret. */
  type Params = Parameters<typeof signedUrl>[2];
  const signed = (base: string, call: string, params: Params, algo: ChecksumAlgorithm = 'sha256') =>
    signedUrl(base, call, params, SECRET, algo);

  it('builds the exact V6 URL from parameters, checksum last and once', () => {
    const url = signed('https://bbb.example.com/bigbluebutton/api', 'create', {
      name: 'Weekly Sync',
      meetingID: 'team-42',
      record: true,
      autoStartRecording: false,
      allowStartStopRecording: true,
      'meta_bbb-recording-ready-url': 'https://bot.example.com/bbb/recording-ready',
    });
    expect(url).toBe(
      `https://bbb.example.com/bigbluebutton/api/create?${V6}&checksum=b73cbbfca2bcc66a42486ce16622de342090936863f83310e0e999da606bffd7`,
    );
    expect(url.match(/checksum=/g)).toHaveLength(1);
  });

  it('builds the exact V7 query for a name with quote, parentheses and star', () => {
    const url = signed('https://h/bigbluebutton/api', 'create', { name: "O'Neil (test)*", meetingID: 'm-1' });
    expect(url).toBe(
      'https://h/bigbluebutton/api/create?name=O%27Neil%20%28test%29%2A&meetingID=m-1&checksum=606bd3bf3ae2ce694af92620b94e4386232bf09b10ce937006a51e9f16be67fd',
    );
  });

  it('signs a call without parameters as call + secret (V2)', () => {
    expect(signed('https://h/bigbluebutton/api', 'getMeetings', {}, 'sha1')).toBe(
      'https://h/bigbluebutton/api/getMeetings?checksum=2027baa7771026e9e93392f55031535d1444c41f',
    );
  });
});
