// Bounds on what one command may ask for. Pure: the caller counts, this decides.

/**
 * The invitees a meeting would have: the organizer always, then the named people, or, if nobody is
 * named, every member of the room; without duplicates and without the bot itself.
 */
export function plannedInvitees(
  organizerId: string,
  named: readonly string[],
  roomMembers: readonly string[],
  botUserId: string,
): string[] {
  const others = named.length ? named : roomMembers;
  return [...new Set([organizerId, ...others])].filter((id) => id !== botUserId);
}

/** How many of `adding` may join a meeting of `current` invitees under the cap `max`: all or none. */
export function withinCap(current: number, adding: number, max: number): boolean {
  return current + adding <= max;
}
