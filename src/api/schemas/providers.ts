import { z } from '@hono/zod-openapi';
import { providerCreateSchema, providerUpdateSchema } from '../../providers/provider-service.ts';
import { PageQuery, Timestamp, pageOf } from './common.ts';

const limit = (description: string) => z.number().int().nullable().openapi({ description });

export const Provider = z
  .object({
    id: z.string(),
    name: z.string(),
    base_url: z.string(),
    api_key: z
      .object({ env: z.string() })
      .nullable()
      .openapi({ description: 'The key as an environment variable of the Kairos process, never a value' }),
    rpm: limit('At most this many requests in any 60 seconds, across all replicas and assistants; null: no limit'),
    tpm: limit('At most this many tokens in any 60 seconds (estimated, then corrected from usage); null: no limit'),
    max_concurrent: limit('At most this many runs of its assistants at once; null: no limit'),
    paused_until: Timestamp.nullable().openapi({
      description: 'Set by a 429 (or a 503 with Retry-After): nothing starts before then',
    }),
    owner_id: z.string(),
    usage: z
      .object({ requests: z.number().int(), tokens: z.number().int(), running: z.number().int() })
      .openapi({ description: 'Requests and tokens in the last 60 seconds, and runs of its assistants running now' }),
    version: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Provider');

/** The bodies are the providers service's own schemas: one definition validates, types and documents. */
export const ProviderCreate = providerCreateSchema;
export const ProviderUpdate = providerUpdateSchema;
export const ProviderListQuery = PageQuery;
export const ProviderList = pageOf(Provider, 'ProviderList');

export type Provider = z.infer<typeof Provider>;
export type ProviderCreate = z.input<typeof ProviderCreate>;
export type ProviderUpdate = z.input<typeof ProviderUpdate>;
export type ProviderList = z.infer<typeof ProviderList>;
