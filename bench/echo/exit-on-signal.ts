/**
 * Preloaded (`node --import`) into a server being profiled by bench/echo/profile.ts: turns SIGINT
 * into process.exit(0), because `node --cpu-prof` writes its profile only on a normal exit.
 */
process.once('SIGINT', () => process.exit(0));
