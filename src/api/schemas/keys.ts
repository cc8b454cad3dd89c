import { z } from '@hono/zod-openapi';
import type { ApiKey as StoredApiKey } from '../../store/api-keys.ts';
import { Id, PageQuery, Timestamp, iso, isoOrNull, pageOf, queryBoolean } from './common.ts';

export const ApiKey = z
  .object({
    id: Id,
    user_id: Id,
    name: z.string().nullable(),
    prefix: z
      .string()
      .openapi({ description: 'The first characters of the key, to recognise it', example: 'kairos_x1Y2z' }),
    created_at: Timestamp,
    last_used_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
  })
  .openapi('ApiKey');

export const ApiKeyCreate = z
  .strictObject({
    name: z.string().min(1).max(200).optional().openapi({ example: 'ci' }),
    user_id: Id.optional().openapi({ description: 'Admins may create keys for other users; default: yourself' }),
  })
  .openapi('ApiKeyCreate');

export const ApiKeyCreated = ApiKey.extend({
  key: z.string().openapi({ description: 'The key itself. Shown only in this response: store it now.' }),
}).openapi('ApiKeyCreated');

export const ApiKeyListQuery = PageQuery.extend({
  user_id: Id.optional().openapi({ description: "Admins: one user's keys" }),
  include_revoked: queryBoolean.optional(),
});

export const ApiKeyList = pageOf(ApiKey, 'ApiKeyList');

export type ApiKey = z.infer<typeof ApiKey>;
export type ApiKeyCreate = z.input<typeof ApiKeyCreate>;
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export function toApiKeyBody(key: StoredApiKey): ApiKey {
  return {
    id: key.id,
    user_id: key.userId,
    name: key.name,
    prefix: key.prefix,
    created_at: iso(key.createdAt),
    last_used_at: isoOrNull(key.lastUsedAt),
    revoked_at: isoOrNull(key.revokedAt),
  };
}
