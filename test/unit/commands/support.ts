// What the command tests share beside the fake context (test/support/command-context.ts).

export const BOB = '@bob:example.org';
export const CAROL = '@carol:example.org';

/** The members service of a room whose joined people have these display names. */
export const inRoom = (names: Record<string, string>) => ({
  joinedMembers: async () => new Map(Object.entries(names)),
});

export const text = (message: { text: string }) => message.text;
/** What `run` gives for a command refused with `message`. */
export const refusal = (message: { text: string }) => ({ kind: 'refusal', text: message.text });
/** What `run` gives for a usage error that says `said` (null: the usage forms alone). */
export const usage = (said: string | null) => ({ kind: 'usage', text: said });
