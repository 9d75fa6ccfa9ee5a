import { installBufferAccounting } from "./buffers.js";
import { installCaught } from "./caught.js";
import { installOwnConstructor } from "./own-constructor.js";
import { installConsole } from "./console.js";
import { installEncoding } from "./encoding.js";
import { singleByteEncodings } from "./single-byte-encodings.js";
import { installErrors } from "./errors.js";
import { hardenRealm } from "./harden.js";
import { sandboxMain } from "./main.js";
import { createCodeGeneration } from "./code-generation.js";
import { bytesOfHex, createKeyEngine } from "./crypto-keys.js";
import { readKeyUsages } from "./key-usages.js";
import { createModuleSystem } from "./modules.js";
import { installNodeGlobals } from "./node-globals.js";
import { createSubtleKeys } from "./subtle-keys.js";
import { createProcess } from "./process.js";
import { capturePrimordials } from "./primordials.js";
import { installStructuredClone } from "./structured-clone.js";
import { installSymbolRegistry } from "./symbol-registry.js";
import { installTimers } from "./timers.js";
import { installTools } from "./tools.js";
import { installUrl } from "./url.js";

/** File name of the bootstrap in stack traces; never shown to tenants (only tenant frames are). */
export const SANDBOX_FILENAME = "tenantbox:sandbox";

/**
 * The bootstrap script: the sandbox functions as source text, evaluated in each new context to a function
 * that takes the host channel and the stop flags and returns the sandbox handle. Compiled once per worker.
 */
export function sandboxSource(): string {
  const parts = [
    capturePrimordials,
    installCaught,
    installOwnConstructor,
    installErrors,
    installConsole,
    installTimers,
    installTools,
    createModuleSystem,
    createCodeGeneration,
    installEncoding,
    singleByteEncodings,
    installStructuredClone,
    installSymbolRegistry,
    installUrl,
    installBufferAccounting,
    bytesOfHex,
    createKeyEngine,
    readKeyUsages,
    createSubtleKeys,
    installNodeGlobals,
    createProcess,
    hardenRealm,
    sandboxMain,
  ].map((fn) => fn.toString());
  return `(function (host, stopFlags, removedGlobals, lazyGlobals) {"use strict";\n${parts.join("\n")}\nreturn ${sandboxMain.name}(globalThis, host, stopFlags, removedGlobals, lazyGlobals);\n})`;
}
