import { describe, expect, it } from 'vitest';
import { featuresOf, parseBbbVersion } from '../../../src/bbb/index.js';

describe('features of a BBB server by its version', () => {
  it('reads versions as BBB and packagers write them', () => {
    expect(parseBbbVersion('3.0.30')).toEqual([3, 0, 30]);
    expect(parseBbbVersion('2.7.3-1+ubuntu')).toEqual([2, 7, 3]);
    expect(parseBbbVersion('3.0')).toEqual([3, 0, 0]);
    expect(parseBbbVersion('')).toBeUndefined();
    expect(parseBbbVersion('unknown')).toBeUndefined();
  });

  it.each([
    ['2.4.9', [false, false, false, false, false]],
    ['2.5.18', [true, false, false, false, false]],
    ['2.7.16', [true, true, false, false, false]],
    ['3.0.29', [true, true, true, false, true]],
    ['3.0.30', [true, true, true, true, true]],
    ['3.1.0', [true, true, true, true, true]],
  ])('BBB %s', (bbbVersion, expected) => {
    const f = featuresOf({ version: '2.0', bbbVersion });
    expect([
      f.disabledFeatures,
      f.notifyRecordingIsOn,
      f.notifyRecordingAppend,
      f.disableRecordingFormats,
      f.sendChatMessage,
    ]).toEqual(expected);
    expect(f.bbbVersion).toBe(bbbVersion);
  });

  it('behind a load balancer (no bbbVersion) the version is unknown and nothing is ruled out', () => {
    const f = featuresOf({ version: '2.0' });
    expect(f.bbbVersion).toBeUndefined();
    expect(Object.values(f).every((v) => v === true)).toBe(true);
  });
});
