/**
 * The vm.Script file name a tenant module is compiled under. The stack formatter shows a frame only when
 * its script name is one of these (mapped back to the module id), never because a file name matches: a
 * tenant file may be named `node:vm` or `tenantbox:sandbox`, the host's own scripts are. A NUL can be in no
 * path and no host script name, so no host frame carries this name whatever the tenant names its files.
 */
export function tenantScriptName(id: string): string {
  return "tenantbox-module\0" + id;
}
