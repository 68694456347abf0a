/** What replies say about the maildrop as a whole: the live messages and their size, and how to count them in words. */
import type { Pop3Context } from '../context.js';

/** Sum of sizes of the messages not marked deleted. */
export function maildropTotals(context: Pop3Context): { count: number; octets: number } {
  const transaction = context.transaction!;
  let count = 0;
  let octets = 0;
  transaction.maildrop.messages.forEach((message, index) => {
    if (transaction.deleted.has(index)) return;
    count++;
    octets += message.size;
  });
  return { count, octets };
}

export const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
