import { expect } from 'vitest';

/** The error of class `type` that `run` throws; the test fails when it throws nothing or something else. */
export function thrown<E>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  return expect.unreachable(`${type.name} expected`);
}
