// WebIDL's classes (Node's Response, Request, Headers, FormData, Blob, File) have enumerable attributes and
// operations on their prototypes, where a JavaScript class's are not: `for (k in response)` lists status, ok,
// headers, json ... (redaxios copies a Response's fields into its own response so). Run once, when the class is made.
module.exports = function enumerableMembers(Class) {
  const prototype = Class.prototype;
  const names = Object.getOwnPropertyNames(prototype);
  for (let i = 0; i < names.length; i++) if (names[i] !== "constructor") Object.defineProperty(prototype, names[i], { enumerable: true });
};
