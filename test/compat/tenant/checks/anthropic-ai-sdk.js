// The SDK checks `response.body?.locked` before it reads a reply: looking at a body must not use it up.
const Anthropic = require("anthropic-ai-sdk");
exports.check = async () => {
  const calls = [];
  const client = new Anthropic({
    apiKey: "k",
    fetch: async (url, init) => {
      calls.push([String(url), init.method, JSON.parse(init.body).model]);
      return new Response(JSON.stringify({ id: "m", type: "message", role: "assistant", content: [{ type: "text", text: "hey" }], stop_reason: "end_turn" }), { status: 200, headers: { "content-type": "application/json" } });
    },
  });
  const m = await client.messages.create({ model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
  return [m.content[0].text, m.stop_reason, calls];
};
exports.expected = () => ["hey", "end_turn", [["https://api.anthropic.com/v1/messages", "POST", "claude-x"]]];
