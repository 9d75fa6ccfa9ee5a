import { codeGenerationCases } from "./cases/code-generation.js";
import { hostileFamily } from "./harness.js";

// Code generation: eval, indirect eval, Function, AsyncFunction/GeneratorFunction, string timers, import(),
// import.meta, WebAssembly — refused by the validator at STANDARD, by the realm at PERMISSIVE.
hostileFamily("code-generation", codeGenerationCases, { naive: true });
