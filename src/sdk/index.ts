/** The Kairos TypeScript SDK: `new Kairos({ baseUrl, apiKey })`. */
export { Kairos, type KairosOptions, type PageParams } from './client.ts';
/** The same client under the name other projects import: `import { KairosClient } from 'kairos/sdk'`. */
export { Kairos as KairosClient } from './client.ts';
export type * from './client.ts';
export { KairosApiError } from './errors.ts';
export { operations, type OperationName } from './operations.ts';
export type * from './types.ts';
