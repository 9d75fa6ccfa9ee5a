/**
 * JSON text handed on as it is, never parsed on the host's main thread: a tool's answer that is JSON already
 * (a document store's rows: parsed and serialized again, 4 MiB of rows built by a tenant cost the main thread
 * 335-447 ms per data:query; the sandbox parses them in the realm, under the call's time), and a call's value
 * with `rawValue` (the service writes it into its reply as it is).
 */
export class JsonText {
  constructor(readonly text: string) {}
}
