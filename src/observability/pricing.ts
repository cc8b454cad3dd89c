import type { Pricing } from '../config.ts';

/** The price table is configuration (KAIROS_PRICING), parsed with the rest of it. */
export { pricingSchema, type Pricing } from '../config.ts';

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
