const { z } = require("zod");
exports.check = () => {
  const User = z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) });
  const bad = User.safeParse({ name: "" });
  return [User.parse({ name: "x" }), bad.success, bad.error.issues[0].path];
};
exports.expected = () => ([{ name: "x", tags: [] }, false, ["name"]]);
