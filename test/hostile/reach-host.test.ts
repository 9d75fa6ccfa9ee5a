import { reachHostCases } from "./cases/reach-host.js";
import { hostileFamily } from "./harness.js";

// Reaching the host directly: process, require, module, global, worker messaging, built-ins, Buffer, __dirname;
// and (variant "scoring") exfiltration-shaped code stopped by the scoring gate.
hostileFamily("reach-host", reachHostCases, { naive: true, variants: { scoring: { scoringGate: true } } });
