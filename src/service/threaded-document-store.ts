import { type QueryOptions, type Selector, type StoredDocument } from "./document-rules.js";
import type { DocumentStore, StorageQuota } from "./document-store.js";
import { ThreadCalls } from "./thread-calls.js";

/**
 * The SQLite document store on a thread of its own (invariant 8): a query's filter is json_extract over every
 * document of the collection, so its cost grows with what the tenant stored (1,600 documents of 60 KB cost
 * the host's main thread 61-96 ms per data:query or data:delete), and a tenant may call 100-500 of them per
 * invocation. Here the main thread only posts the call and takes the answer; the thread's own connection
 * to the same file (WAL) does the work, one call at a time. A thread that stops fails the calls it held and
 * the next call starts a new one.
 */
export class ThreadedDocumentStore implements DocumentStore {
  private readonly thread: ThreadCalls;

  constructor(
    dataDir: string,
    private readonly maxBytesOf: StorageQuota = () => Infinity,
  ) {
    this.thread = new ThreadCalls("document-store-thread", "document store", { dataDir });
  }

  storedBytes(tenant: string): Promise<number> {
    return this.call("storedBytes", [tenant]) as Promise<number>;
  }

  insert(tenant: string, collection: string, doc: object, id?: string): Promise<{ id: string }> {
    return this.call("insert", [tenant, collection, doc, id], this.maxBytesOf(tenant)) as Promise<{ id: string }>;
  }

  /** The answer is a string: it crosses from the thread as one copy, and nothing parses it here. */
  queryJson(tenant: string, collection: string, options?: QueryOptions): Promise<string> {
    return this.call("queryJson", [tenant, collection, options]) as Promise<string>;
  }

  update(tenant: string, collection: string, selector: Selector, set: object): Promise<{ updated: number }> {
    return this.call("update", [tenant, collection, selector, set], this.maxBytesOf(tenant)) as Promise<{ updated: number }>;
  }

  delete(tenant: string, collection: string, selector: Selector): Promise<{ deleted: number }> {
    return this.call("delete", [tenant, collection, selector]) as Promise<{ deleted: number }>;
  }

  count(tenant: string, collection?: string): Promise<number> {
    return this.call("count", [tenant, collection]) as Promise<number>;
  }

  /** The calls already posted end first (the thread takes them in order), then its connection closes. */
  close(): Promise<void> {
    return this.thread.close();
  }

  private call(method: string, args: unknown[], maxBytes?: number): Promise<unknown> {
    return this.thread.call(method, args, maxBytes);
  }
}
