// A classroom learner's name across the platform ('learner:<id>'): the progress store's learner,
// the owner of their shell, their live feed's channel, their environment's key. Made and read
// only here, so nobody splits the string by hand.

export const learnerKey = (learner: { id: number }): string => `learner:${learner.id}`;

/** The learner id in a key that learnerKey made; undefined for anything else ('solo', a forged owner). */
export function learnerIdOf(key: string): number | undefined {
  const id = /^learner:(\d{1,9})$/.exec(key)?.[1];
  return id === undefined ? undefined : Number(id);
}
