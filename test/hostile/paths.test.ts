import { pathCases } from "./cases/paths.js";
import { hostileFamily } from "./harness.js";

// Paths: '..', absolute paths, symlinks (file and folder), another tenant, encoded names, package.json and
// node_modules pointing outside, through require, import, the request's file and the hooks manifest.
hostileFamily("paths", pathCases);
