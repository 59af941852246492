// Matrix user IDs named in the configuration by ID or by glob ("@*:example.org", "@*bot:example.org"):
// `*` stands for any characters, `?` for one. Pure.

/** Whether `userId` is one of `patterns`. */
export function matchesAny(userId: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(userId));
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}
