// semver ships no types and @types/semver is not installed: the two functions Keel uses.
declare module 'semver' {
  interface RangeOptions {
    includePrerelease?: boolean;
  }
  const semver: {
    satisfies(version: string, range: string, options?: RangeOptions): boolean;
    validRange(range: string, options?: RangeOptions): string | null;
  };
  export default semver;
}
