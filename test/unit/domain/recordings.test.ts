import { describe, expect, it } from 'vitest';
import { bbbRecordingState, onListed } from '../../../src/domain/recordings.js';

describe('a recording as BBB lists it', () => {
  it('is tracked when first seen, and must go at once when a withdrawal ordered its meeting’s deletion', () => {
    expect(onListed(undefined, 'processing', false)).toEqual({ type: 'discovered', state: 'processing' });
    expect(onListed(undefined, 'available', true)).toEqual({ type: 'discovered', state: 'purge-pending' });
    expect(onListed(undefined, 'deleted', true)).toEqual({ type: 'unchanged' });
  });
  it('becomes available when published, unless it must go', () => {
    expect(onListed('processing', 'available', false)).toEqual({ type: 'became', state: 'available' });
    expect(onListed('available', 'available', true)).toEqual({ type: 'became', state: 'purge-pending' });
    expect(onListed('purge-pending', 'available', true)).toEqual({ type: 'unchanged' });
  });
  it('is purged only when BBB lists it as deleted; one that comes back after a delete must go again', () => {
    expect(onListed('available', 'deleted', false)).toEqual({ type: 'became', state: 'purged' });
    // One waiting for deletion is left to the purge, which confirms, records and reports it.
    expect(onListed('purge-pending', 'deleted', false)).toEqual({ type: 'unchanged' });
    expect(onListed('purged', 'available', false)).toEqual({ type: 'became', state: 'purge-pending' });
    expect(onListed('purged', 'deleted', false)).toEqual({ type: 'unchanged' });
  });
  it('maps BBB’s words', () => {
    expect(bbbRecordingState('published')).toBe('available');
    expect(bbbRecordingState('unpublished')).toBe('available');
    expect(bbbRecordingState('processed')).toBe('processing');
    expect(bbbRecordingState('deleted')).toBe('deleted');
  });
});
