/** Meriyah's UMD build as text, put in the sandbox bundles by tsup.config.ts (runner/embedded-meriyah.ts). */
declare module "tenantbox:meriyah-umd" {
  const source: string;
  export default source;
}
