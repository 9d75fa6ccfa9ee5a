import type { Principal } from "./auth.js";
import type { TenantConfig } from "./config.js";

/** Who a request comes from: the token's principal and the config of the tenant it names. */
export interface Caller {
  principal: Principal;
  tenant: TenantConfig;
}
