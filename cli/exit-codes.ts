/** What `keel` exit codes mean; scripts and schedulers rely on them. */
export const EXIT = {
  ok: 0,
  /** Finished, but some records were dead-lettered. */
  deadLetters: 1,
  /** The configuration or the input is invalid: nothing ran. */
  invalid: 2,
  /** The run failed (a target or source gave up, or Keel itself). */
  failed: 3,
  /** Stopped by SIGINT/SIGTERM after saving its state (the shell convention 128 + 2). */
  interrupted: 130,
} as const;
