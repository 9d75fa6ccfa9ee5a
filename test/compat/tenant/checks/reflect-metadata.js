// reflect-metadata adds its functions to the global Reflect (each invocation has a Reflect of its own).
require("reflect-metadata");
class Service {}
Reflect.defineMetadata("role", "admin", Service);
Reflect.defineMetadata("column", { type: "int" }, Service.prototype, "id");
const tagged = (value) => (target, key) => Reflect.defineMetadata("tag", value, target, key);
Reflect.decorate([tagged("hot")], Service.prototype, "run");
exports.check = () => [Reflect.getMetadata("role", Service), Reflect.getMetadata("column", Service.prototype, "id"), Reflect.getMetadata("tag", Service.prototype, "run"), Reflect.hasMetadata("role", Service.prototype), Reflect.getMetadataKeys(Service)];
exports.expected = () => ["admin", { type: "int" }, "hot", false, ["role"]];
