let pausedOnce = false;

/**
 * Test hook for the reliability suite: with `KAIROS_TEST_PAUSE_IN_CLAIM_MS`, the first claim that
 * locked runs waits that long inside its transaction (row and advisory locks held) and says so on
 * stderr, so that a test can freeze the process there (SIGSTOP). Does nothing otherwise.
 */
export async function pauseInsideClaim(): Promise<void> {
  const ms = Number(process.env.KAIROS_TEST_PAUSE_IN_CLAIM_MS ?? 0);
  if (!(ms > 0) || pausedOnce) return;
  pausedOnce = true;
  process.stderr.write('kairos-test-hook: paused inside a claim\n');
  await new Promise((resolve) => setTimeout(resolve, ms));
}
