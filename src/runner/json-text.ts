/**
 * A tool's answer that is JSON text already (a document store's rows, as stored): it crosses to the sandbox
 * as it is. Parsed and serialized again on the host's main thread, 4 MiB of rows built by a tenant (distinct
 * object layouts) cost it 335-447 ms per data:query; the sandbox parses it in the realm, under the call's time.
 */
export class JsonText {
  constructor(readonly text: string) {}
}
