/** Route 53 names: lower case with the trailing dot, as Route 53 returns and compares them. */
export function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}
