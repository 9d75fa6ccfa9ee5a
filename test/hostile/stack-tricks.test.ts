import { stackTrickCases } from "./cases/stack-tricks.js";
import { hostileFamily } from "./harness.js";

// Stack tricks: prepareStackTrace and CallSites, captureStackTrace, caller/callee, and the hooks the runtime's
// own serialization and error description would call (toJSON, then, getters, toPrimitive, species).
hostileFamily("stack-tricks", stackTrickCases, { naive: true });
