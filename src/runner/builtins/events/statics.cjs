// The module-level functions Node's events has beside the class: getEventListeners, getMaxListeners,
// setMaxListeners (for emitters and EventTargets), listenerCount, addAbortListener.
const { codeError, validateCount } = require("./errors.cjs");
const { isEventTarget, notAnEmitter, addAbortListener } = require("./targets.cjs");

module.exports = function addStatics(EventEmitter) {
  // The realm's EventTarget never warns about its listener count: the number is kept only to be read back.
  const targetLimits = new WeakMap();

  EventEmitter.getEventListeners = function getEventListeners(emitterOrTarget, type) {
    if (emitterOrTarget !== null && emitterOrTarget !== undefined && typeof emitterOrTarget.listeners === "function") return emitterOrTarget.listeners(type);
    if (isEventTarget(emitterOrTarget)) {
      // event-target-shim keeps its listeners private.
      throw codeError(Error, "getEventListeners of an EventTarget is not available in the sandbox", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
    }
    throw notAnEmitter();
  };

  EventEmitter.getMaxListeners = function getMaxListeners(emitterOrTarget) {
    if (emitterOrTarget !== null && emitterOrTarget !== undefined && typeof emitterOrTarget.getMaxListeners === "function") return emitterOrTarget.getMaxListeners();
    if (isEventTarget(emitterOrTarget)) return targetLimits.has(emitterOrTarget) ? targetLimits.get(emitterOrTarget) : EventEmitter.defaultMaxListeners;
    throw notAnEmitter();
  };

  EventEmitter.setMaxListeners = function setMaxListeners(n, ...eventTargets) {
    if (n === undefined) n = EventEmitter.defaultMaxListeners;
    validateCount(n, "n");
    if (eventTargets.length === 0) {
      EventEmitter.defaultMaxListeners = n;
      return;
    }
    for (const target of eventTargets) {
      if (isEventTarget(target)) targetLimits.set(target, n);
      else if (target !== null && target !== undefined && typeof target.setMaxListeners === "function") target.setMaxListeners(n);
      else throw codeError(TypeError, 'The "eventTargets" argument must be an instance of EventEmitter or EventTarget.', "ERR_INVALID_ARG_TYPE");
    }
  };

  EventEmitter.listenerCount = function listenerCount(emitter, type) {
    if (typeof emitter.listenerCount === "function") return emitter.listenerCount(type);
    return EventEmitter.prototype.listenerCount.call(emitter, type);
  };

  EventEmitter.addAbortListener = addAbortListener;
};
