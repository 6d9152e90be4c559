/** The digest's subscribe form: email and how often (addresses are checked by domain/email.ts). */
import { z } from 'zod';

export { checkAddress, MAX_ADDRESS_LENGTH, type AddressCheck } from '../domain/email.ts';

/** The subscribe form: email and how often. */
export const subscribeForm = z.object({
  email: z.string().max(10_000, 'That is far too long for an email address.').default(''),
  frequency: z.enum(['daily', 'weekly'], { message: 'Choose daily or weekly.' }).default('daily'),
});
