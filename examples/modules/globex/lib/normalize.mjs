// ES module helper, imported by rules.mjs and customers.js.
export function normalizeEmail(email) {
  return String(email).trim().toLowerCase();
}

export function titleCase(name) {
  return String(name)
    .trim()
    .split(/\s+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(" ");
}
