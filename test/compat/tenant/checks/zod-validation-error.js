const { z } = require("zod4"); const { fromError, fromZodError } = require("zod-validation-error"); exports.check = () => { const r = z.object({ age: z.number() }).safeParse({ age: "x" }); return (fromError ?? fromZodError)(r.error).toString(); };
exports.expected = () => ("Validation error: Invalid input: expected number, received string at \"age\"");
