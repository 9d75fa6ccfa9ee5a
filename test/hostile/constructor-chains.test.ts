import { constructorChainCases } from "./cases/constructor-chains.js";
import { hostileFamily } from "./harness.js";

// Constructor chains from every object the sandbox hands in and from every kind of function.
hostileFamily("constructor-chains", constructorChainCases, {
  naive: true,
  variants: { iterations: { maxIterations: 10_000 } },
});
