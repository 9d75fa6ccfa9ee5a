import { stateLeakCases } from "./cases/state-leaks.js";
import { hostileFamily } from "./harness.js";

// State leaks across invocations: one worker (maxThreads 1), so consecutive calls share a reused realm.
hostileFamily("state-leaks", stateLeakCases, { runtime: { maxThreads: 1, minThreads: 1 } });
