const Stripe = require("stripe");
exports.check = () => {
  const stripe = new Stripe("sk_test_123");
  const payload = JSON.stringify({ id: "evt_1", object: "event", type: "charge.succeeded" }); const secret = "whsec_test";
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) });
  const ev = stripe.webhooks.constructEvent(payload, header, secret);
  // A payload other than the one signed (a replaced signature digit could be the one already there: 1 in 16).
  let bad; try { stripe.webhooks.constructEvent(payload.replace("evt_1", "evt_2"), header, secret); } catch (e) { bad = e.type; }
  return [ev.type, bad];
};
exports.expected = () => (["charge.succeeded","StripeSignatureVerificationError"]);
