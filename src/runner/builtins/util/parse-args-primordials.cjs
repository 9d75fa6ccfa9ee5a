// @pkgjs/parseargs's internal/primordials, with what it uses only: the package's own copies every intrinsic's
// methods when it loads (Proxy among them, which the realm has not), where parseArgs needs eighteen. The build
// puts this file in its place (tsup.config.ts, parseArgsInNodeWords).
const call = Function.prototype.call;
const uncurry = (fn) => call.bind(fn);
module.exports = {
  ArrayIsArray: Array.isArray,
  ArrayPrototypeFind: uncurry(Array.prototype.find),
  ArrayPrototypeForEach: uncurry(Array.prototype.forEach),
  ArrayPrototypeIncludes: uncurry(Array.prototype.includes),
  ArrayPrototypeJoin: uncurry(Array.prototype.join),
  ArrayPrototypeMap: uncurry(Array.prototype.map),
  ArrayPrototypePush: uncurry(Array.prototype.push),
  ArrayPrototypePushApply: (array, items) => Array.prototype.push.apply(array, items),
  ArrayPrototypeShift: uncurry(Array.prototype.shift),
  ArrayPrototypeSlice: uncurry(Array.prototype.slice),
  ArrayPrototypeUnshiftApply: (array, items) => Array.prototype.unshift.apply(array, items),
  ObjectCreate: Object.create,
  ObjectEntries: Object.entries,
  ObjectFreeze: Object.freeze,
  ObjectPrototypeHasOwnProperty: uncurry(Object.prototype.hasOwnProperty),
  StringPrototypeCharAt: uncurry(String.prototype.charAt),
  StringPrototypeIncludes: uncurry(String.prototype.includes),
  StringPrototypeIndexOf: uncurry(String.prototype.indexOf),
  StringPrototypeSlice: uncurry(String.prototype.slice),
  StringPrototypeStartsWith: uncurry(String.prototype.startsWith),
};
