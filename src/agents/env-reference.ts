// Environment references live with providers (the lowest layer that reads them); agents re-export them.
export * from '../providers/env-reference.ts';
