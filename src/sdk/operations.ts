/**
 * Every operation the SDK calls, by method and OpenAPI path. A test checks each against the
 * server's OpenAPI document (and every documented `/api/v1` operation against this table), so the
 * SDK and the API cannot drift apart.
 */
export const operations = {
  'users.list': { method: 'GET', path: '/api/v1/users' },
  'users.create': { method: 'POST', path: '/api/v1/users' },
  'users.me': { method: 'GET', path: '/api/v1/users/me' },
  'users.get': { method: 'GET', path: '/api/v1/users/{id}' },
  'users.update': { method: 'PATCH', path: '/api/v1/users/{id}' },
  'keys.create': { method: 'POST', path: '/api/v1/keys' },
  'keys.list': { method: 'GET', path: '/api/v1/keys' },
  'keys.get': { method: 'GET', path: '/api/v1/keys/{id}' },
  'keys.revoke': { method: 'DELETE', path: '/api/v1/keys/{id}' },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; path: string }>;

export type OperationName = keyof typeof operations;
