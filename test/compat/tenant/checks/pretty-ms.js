"use strict";
// As TypeScript compiles `import prettyMs from "pretty-ms"` to CommonJS: the ES module is required, its default export taken through __esModule.
var __importDefault = (this && this.__importDefault) || function (mod) { return mod && mod.__esModule ? mod : { default: mod }; };
const pretty_ms_1 = __importDefault(require("pretty-ms"));
exports.check = () => [pretty_ms_1.default(1337000), pretty_ms_1.default(1337, { compact: true }), pretty_ms_1.default(90061000, { verbose: true })];
exports.expected = () => (["22m 17s","1s","1 day 1 hour 1 minute 1 second"]);
