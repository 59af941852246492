import { describe, expect, it } from 'vitest';
import { buildQuery, encodeStrict } from '../../../src/bbb/index.js';

describe('encodeStrict (RFC 3986)', () => {
  it.each([
    ["O'Neil", 'O%27Neil'],
    ['a+b', 'a%2Bb'],
    ['Jane Doe', 'Jane%20Doe'],
    ['(x)!*', '%28x%29%21%2A'],
    ['Jürgen Groß', 'J%C3%BCrgen%20Gro%C3%9F'],
    ['party 🎉', 'party%20%F0%9F%8E%89'],
    ['a,b', 'a%2Cb'],
    ['https://bot.example.com/x?y=1&z=2', 'https%3A%2F%2Fbot.example.com%2Fx%3Fy%3D1%26z%3D2'],
    ['safe-._~AZaz09', 'safe-._~AZaz09'],
  ])('%s → %s', (input, expected) => {
    expect(encodeStrict(input)).toBe(expected);
  });

  it('leaves only unreserved characters literal, so fetch and browsers cannot rewrite the signed bytes', () => {
    let all = '';
    for (let c = 0x20; c < 0x7f; c++) all += String.fromCharCode(c);
    expect(encodeStrict(all)).toMatch(/^[A-Za-z0-9\-._~%]*$/);
    expect(decodeURIComponent(encodeStrict(all))).toBe(all);
  });

  it('survives a trip through the WHATWG URL parser unchanged (what Node fetch sends)', () => {
    const q = buildQuery({ fullName: "D'Arcy (Ünal) 🎉 a+b*!" });
    expect(new URL(`https://h/api/join?${q}`).search).toBe(`?${q}`);
  });
});

describe('buildQuery', () => {
  it('keeps insertion order and encodes keys and values', () => {
    expect(buildQuery({ b: '1', a: '2', 'meta_bbb-x': 'y z' })).toBe('b=1&a=2&meta_bbb-x=y%20z');
  });

  it('drops undefined and null instead of sending key=', () => {
    expect(buildQuery({ a: undefined, b: null, c: '', d: 'x' })).toBe('c=&d=x');
  });

  it('writes booleans as lowercase literals and numbers as digits', () => {
    expect(buildQuery({ record: true, autoStartRecording: false, duration: 0, limit: 25 })).toBe(
      'record=true&autoStartRecording=false&duration=0&limit=25',
    );
  });

  it('comma-joins lists into one value (bbb-web reads only the first repeated key)', () => {
    expect(buildQuery({ recordID: ['a-1', 'b-2'], state: ['published', 'deleted'] })).toBe(
      'recordID=a-1%2Cb-2&state=published%2Cdeleted',
    );
  });

  it('gives the empty string for no parameters', () => {
    expect(buildQuery({})).toBe('');
  });
});
