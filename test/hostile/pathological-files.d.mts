export interface PathologicalTenant {
  files: Record<string, string>;
  file: string;
  funcName: string;
}
export function pathologicalTenants(scale?: number): Record<string, PathologicalTenant>;
