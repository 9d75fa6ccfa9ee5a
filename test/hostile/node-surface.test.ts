import { nodeSurfaceCases } from "./cases/node-surface.js";
import { hostileFamily } from "./harness.js";

// The Node surface in the realm (process, Buffer, crypto, built-in polyfills, library code's sloppy mode
// and code generation): no pollution across calls or tenants, no host reach, limits hold.
hostileFamily("node-surface", nodeSurfaceCases);
