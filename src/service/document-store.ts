import type { QueryOptions, Selector, StoredDocument } from "./document-rules.js";

export { DataError, DOCUMENT_LIMITS, type Filter, type Operators, type QueryOptions, type Scalar, type Selector, type StoredDocument } from "./document-rules.js";

/**
 * Tenant-scoped JSON documents (the data tools' store), kept by SQLite or PostgreSQL. Every method takes
 * the calling tenant first, which the service supplies and every statement is bound to; arguments only
 * ever become bound values or checked JSON paths (document-rules.ts). Bad arguments reject with DataError.
 */
export interface DocumentStore {
  /** Bytes of stored JSON the tenant's documents take (what its storage quota counts). */
  storedBytes(tenant: string): Promise<number>;
  insert(tenant: string, collection: string, doc: object, id?: string): Promise<{ id: string }>;
  /**
   * The matching documents, each `{ id, ...doc }`, as the JSON text of their array: built from the stored text,
   * never parsed on the way (data:query hands it to the sandbox as it is).
   */
  queryJson(tenant: string, collection: string, options?: QueryOptions): Promise<string>;
  /** Shallow-merges `set` into every matched document (top-level keys replaced, others kept). */
  update(tenant: string, collection: string, selector: Selector, set: object): Promise<{ updated: number }>;
  delete(tenant: string, collection: string, selector: Selector): Promise<{ deleted: number }>;
  count(tenant: string, collection?: string): Promise<number>;
}

/** `maxBytesOf(tenant)`: what the tenant's stored JSON may take in all (its storage quota). */
export type StorageQuota = (tenant: string) => number;
