import { Worker } from "node:worker_threads";
import { siblingEntry } from "../runner/protocol.js";
import { DataError, type QueryOptions, type Selector, type StoredDocument } from "./document-rules.js";
import type { DocumentStore, StorageQuota } from "./document-store.js";
import { closeThread } from "./close-thread.js";

type Method = "storedBytes" | "insert" | "queryJson" | "update" | "delete" | "count";

/** A call posted to the document store's thread; `maxBytes`: the tenant's storage quota, for the writes. */
export interface DocumentCall {
  id: number;
  method: Method;
  args: unknown[];
  maxBytes?: number;
}

export type DocumentAnswer = { id: number; value: unknown } | { id: number; error: { name: string; message: string; code?: string } };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The SQLite document store on a thread of its own (invariant 8): a query's filter is json_extract over every
 * document of the collection, so its cost grows with what the tenant stored (1,600 documents of 60 KB cost
 * the host's main thread 61-96 ms per data:query or data:delete), and a tenant may call 100-500 of them per
 * invocation. Here the main thread only posts the call and takes the answer; the thread's own connection
 * to the same file (WAL) does the work, one call at a time. A thread that stops fails the calls it held and
 * the next call starts a new one.
 */
export class ThreadedDocumentStore implements DocumentStore {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly dataDir: string,
    private readonly maxBytesOf: StorageQuota = () => Infinity,
  ) {}

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
  async close(): Promise<void> {
    this.closed = true;
    await closeThread(this.worker);
  }

  private call(method: Method, args: unknown[], maxBytes?: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("the document store is closed"));
    let worker: Worker;
    try {
      worker = this.worker ??= this.start();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const id = this.nextId++;
    const message: DocumentCall = { id, method, args, ...(maxBytes !== undefined && Number.isFinite(maxBytes) ? { maxBytes } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only a call in flight keeps the process alive.
      worker.ref();
      try {
        worker.postMessage(message);
      } catch (error) {
        // Arguments that cannot be cloned (a tool handler's own objects): as the store would refuse them.
        this.pending.delete(id);
        if (this.pending.size === 0) worker.unref();
        reject(new DataError(`arguments cannot be stored: ${(error as Error).message}`));
      }
    });
  }

  private start(): Worker {
    const worker = new Worker(siblingEntry("document-store-thread"), { workerData: { dataDir: this.dataDir }, env: {}, argv: [], execArgv: [] });
    worker.unref();
    worker.on("message", (answer: DocumentAnswer) => {
      const pending = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (!pending) return;
      if (!("error" in answer)) return pending.resolve(answer.value);
      const { name, message, code } = answer.error;
      // A bad argument keeps its class (the data tools answer it to the tenant); anything else is the store's own failure.
      pending.reject(name === "DataError" ? new DataError(message) : Object.assign(new Error(message), code === undefined ? {} : { code }));
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const lost = new Error(`the document store's thread stopped: ${reason}`);
      for (const pending of this.pending.values()) pending.reject(lost);
      this.pending.clear();
    };
    worker.on("error", (error) => gone(error.message));
    worker.on("exit", (code) => gone(`it exited (${code})`));
    return worker;
  }
}
