/**
 * What a seeder hands to the tests (seed.ts), on its own without imports: the plugin's test files read it
 * from the environment, and their TypeScript program must not take in the sidecar's sources with it.
 */

export interface SeedResult {
  /** Message id by seed key. */
  ids: Record<string, string>;
  /** Message count in the store after seeding. */
  total: number;
}

export interface PagesSeed extends SeedResult {
  /** Model names of the seeded records, sorted. */
  models: string[];
  /** Users of the seeded records, sorted. */
  users: string[];
}
