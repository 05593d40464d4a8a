/**
 * Peak resident memory of this process. Sampling every 50 ms shows the shape of the run, but
 * a sample can miss a short spike (or be late while the event loop is busy), so the kernel's
 * high-water mark (`maxRSS`, in KiB) is folded in at the end: the report is the larger of both.
 */
export interface PeakRss {
  /** Stops sampling and returns the peak in bytes. */
  stop(): number;
}

export function trackPeakRss(intervalMs = 50): PeakRss {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  // Sampling must never be what keeps the child alive.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
    },
  };
}
