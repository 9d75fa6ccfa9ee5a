import { vm2Cases } from "./cases/vm2-advisories.js";
import { hostileFamily } from "./harness.js";

// The public vm2 advisories (CVE/GHSA list, docs/ATTACKS.md categories) re-expressed as tenant modules.
// 3 s per call: the advisories' own stack overflow formats a stack trace at every level (about 0.5 s here).
hostileFamily("vm2-advisories", vm2Cases, { naive: true, runtime: { timeout: 3000 } });
