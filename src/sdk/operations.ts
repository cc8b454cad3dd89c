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
  'assistants.create': { method: 'POST', path: '/api/v1/assistants' },
  'assistants.list': { method: 'GET', path: '/api/v1/assistants' },
  'assistants.get': { method: 'GET', path: '/api/v1/assistants/{id}' },
  'assistants.update': { method: 'PATCH', path: '/api/v1/assistants/{id}' },
  'assistants.delete': { method: 'DELETE', path: '/api/v1/assistants/{id}' },
  'assistants.test': { method: 'POST', path: '/api/v1/assistants/{id}/test' },
  'assistants.testDraft': { method: 'POST', path: '/api/v1/assistants/test' },
  'threads.create': { method: 'POST', path: '/api/v1/threads' },
  'threads.list': { method: 'GET', path: '/api/v1/threads' },
  'threads.get': { method: 'GET', path: '/api/v1/threads/{id}' },
  'threads.update': { method: 'PATCH', path: '/api/v1/threads/{id}' },
  'threads.delete': { method: 'DELETE', path: '/api/v1/threads/{id}' },
  'threads.messages': { method: 'GET', path: '/api/v1/threads/{id}/messages' },
  'threads.appendMessages': { method: 'POST', path: '/api/v1/threads/{id}/messages' },
  'runs.create': { method: 'POST', path: '/api/v1/runs' },
  'runs.list': { method: 'GET', path: '/api/v1/runs' },
  'runs.get': { method: 'GET', path: '/api/v1/runs/{id}' },
  'runs.cancel': { method: 'POST', path: '/api/v1/runs/{id}/cancel' },
  'schedules.create': { method: 'POST', path: '/api/v1/schedules' },
  'schedules.list': { method: 'GET', path: '/api/v1/schedules' },
  'schedules.preview': { method: 'POST', path: '/api/v1/schedules/preview' },
  'schedules.get': { method: 'GET', path: '/api/v1/schedules/{id}' },
  'schedules.update': { method: 'PATCH', path: '/api/v1/schedules/{id}' },
  'schedules.delete': { method: 'DELETE', path: '/api/v1/schedules/{id}' },
  'schedules.pause': { method: 'POST', path: '/api/v1/schedules/{id}/pause' },
  'schedules.resume': { method: 'POST', path: '/api/v1/schedules/{id}/resume' },
  'schedules.trigger': { method: 'POST', path: '/api/v1/schedules/{id}/trigger' },
  'schedules.runs': { method: 'GET', path: '/api/v1/schedules/{id}/runs' },
  'schedules.stats': { method: 'GET', path: '/api/v1/schedules/{id}/stats' },
  'schedules.events': { method: 'GET', path: '/api/v1/schedules/{id}/events' },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'; path: string }>;

export type OperationName = keyof typeof operations;
