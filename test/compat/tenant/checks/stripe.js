const Stripe = require("stripe");
exports.check = () => {
  const stripe = new Stripe("sk_test_123");
  const payload = JSON.stringify({ id: "evt_1", object: "event", type: "charge.succeeded" }); const secret = "whsec_test";
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) });
  const ev = stripe.webhooks.constructEvent(payload, header, secret);
  let bad; try { stripe.webhooks.constructEvent(payload, header.replace(/v1=./, "v1=0"), secret); } catch (e) { bad = e.type; }
  return [ev.type, bad];
};
exports.expected = () => (["charge.succeeded","StripeSignatureVerificationError"]);
