import { describe, expect, it } from 'vitest';
import { rich } from '../../../src/i18n/rich.js';
import { editContent, messageContent } from '../../../src/matrix/chat/content.js';

describe('event contents', () => {
  it('an edit of the prompt keeps its msgtype (m.text), so clients do not turn it into a notice', () => {
    const prompt = messageContent(rich`Bitte mit ✅ oder ❌ antworten`);
    const edit = editContent('$prompt', rich`Bitte mit ✅ oder ❌ antworten (1 ✅)`);
    expect(prompt.msgtype).toBe('m.text');
    expect(edit.msgtype).toBe(prompt.msgtype);
    expect((edit['m.new_content'] as Record<string, unknown>).msgtype).toBe(prompt.msgtype);
    expect(edit['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$prompt' });
    // An edit notifies nobody again.
    expect(edit['m.mentions']).toEqual({});
  });
});
