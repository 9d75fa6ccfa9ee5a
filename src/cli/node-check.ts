// The CLI's first import: an older Node.js gets one line and exit status 1, before any other module runs.
import { assertSupportedNode } from "../node-version.js";

try {
  assertSupportedNode();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
