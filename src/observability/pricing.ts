import { z } from 'zod';

/** Prices per 1,000 tokens by model name; `"*"` prices models not named. */
export type Pricing = Readonly<Record<string, { input_per_1k: number; output_per_1k: number }>>;

export const pricingSchema = z.record(
  z.string().min(1),
  z.strictObject({ input_per_1k: z.number().nonnegative(), output_per_1k: z.number().nonnegative() }),
);

/** The price of one model's usage, or undefined when the table has no price for it. */
export function costOf(
  pricing: Pricing,
  model: string | null,
  promptTokens: number,
  completionTokens: number,
): number | undefined {
  const price = (model !== null ? pricing[model] : undefined) ?? pricing['*'];
  if (!price) return undefined;
  return (promptTokens / 1000) * price.input_per_1k + (completionTokens / 1000) * price.output_per_1k;
}
